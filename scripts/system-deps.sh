#!/usr/bin/env bash
# System packages the platform needs at run time, installed by `make setup`:
#   fonts-noto-cjk  Noto Sans CJK SC for certificates and other PDFs. It has the rare characters of real
#                   names (CJK Extension B, e.g. U+2000B 𠀋, U+20BB7 𠮷) that WenQuanYi lacks; fpdf2 embeds it.
# Installs with apt-get when missing and we are root (or sudo works without a password); otherwise prints
# what to do. Never fails the set-up: the platform runs without the font, it just cannot make PDFs
# (LINGJUN_CJK_FONT may point to another font file with the same coverage).
set -uo pipefail

font_present() {
  if [ -n "${LINGJUN_CJK_FONT:-}" ]; then [ -f "${LINGJUN_CJK_FONT%%#*}" ]; return; fi
  for f in /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf; do
    [ -f "$f" ] && return 0
  done
  return 1
}

if font_present; then
  exit 0
fi

explain() {
  if [ -n "${LINGJUN_CJK_FONT:-}" ]; then
    echo "!! LINGJUN_CJK_FONT 指向的字体文件不存在：${LINGJUN_CJK_FONT%%#*}（font file not found）。" >&2
  else
    echo "!! 未找到证书所需的中文字体 Noto Sans CJK SC（No Noto Sans CJK font found）。" >&2
  fi
  echo "!! Install it:  sudo apt-get install fonts-noto-cjk   (Debian/Ubuntu)" >&2
  echo "!!          or: set LINGJUN_CJK_FONT=/path/to/font.ttc#<face> to a font with CJK Extension B." >&2
  echo "!! Without it the platform runs, but certificates and other PDFs answer 503 (pdf_font_missing)." >&2
}

if [ -n "${LINGJUN_CJK_FONT:-}" ]; then  # an explicit choice: do not install something else instead
  explain
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  explain
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  explain
  exit 0
fi

echo "== installing fonts-noto-cjk (Noto Sans CJK, for certificate PDFs)"
export DEBIAN_FRONTEND=noninteractive
if "${SUDO[@]}" apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 \
   || { "${SUDO[@]}" apt-get update -qq >/dev/null 2>&1 \
        && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null; }; then
  font_present && exit 0
fi
explain
exit 0
