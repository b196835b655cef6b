"""领军人才培训管理平台 — the national SME leader training programme, end to end."""
