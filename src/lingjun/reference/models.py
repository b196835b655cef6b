"""Reference data. Loaded from the CSV files in ./data by a migration (see loader.py), never typed
into code, so that a new region list or a revised size standard is a data change."""

from django.db import models


class RegionKind(models.TextChoices):
    PROVINCE = "province", "省"
    AUTONOMOUS_REGION = "autonomous_region", "自治区"
    MUNICIPALITY = "municipality", "直辖市"
    SEPARATELY_LISTED_CITY = "separately_listed_city", "计划单列市"
    CORPS = "corps", "新疆生产建设兵团"


class Region(models.Model):
    """名额单位: one of the 37 units that receive a quota."""

    code = models.CharField("代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=40, unique=True)
    short_name = models.CharField("简称", max_length=20)
    kind = models.CharField("类别", max_length=30, choices=RegionKind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = "地区"

    def __str__(self):
        return self.name


class IndustrySection(models.Model):
    """GB/T 4754-2017 门类 with its range of 大类 (two-digit divisions)."""

    section = models.CharField(max_length=1, primary_key=True)
    name = models.CharField(max_length=60)
    division_from = models.PositiveSmallIntegerField()
    division_to = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["section"]

    def __str__(self):
        return f"{self.section} {self.name}"


class Topic(models.Model):
    """One of the ten content areas named by the 2024 notice."""

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=40)
    name_en = models.CharField(max_length=80, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class Qualification(models.Model):
    """企业资质. Reference data the bureau may extend or rename (tiers get renamed), not an enum."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=60, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class SizeStandard(models.Model):
    """A version of 《中小企业划型标准规定》; a revision is a new data file, hence a new row."""

    version = models.CharField(max_length=20, primary_key=True)
    source_file = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"中小企业划型标准（{self.version}）"


class SizeSector(models.Model):
    standard = models.ForeignKey(SizeStandard, on_delete=models.CASCADE, related_name="sectors")
    sector = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    prefixes = models.CharField(max_length=400, help_text="GB/T 4754 code prefixes, space separated; * = any")
    measure_a = models.CharField(max_length=20)
    measure_b = models.CharField(max_length=20, blank=True)
    sme_a_lt = models.DecimalField(max_digits=14, decimal_places=2)
    sme_b_lt = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    medium_a_ge = models.DecimalField(max_digits=14, decimal_places=2)
    medium_b_ge = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    small_a_ge = models.DecimalField(max_digits=14, decimal_places=2)
    small_b_ge = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        unique_together = [("standard", "sector")]
        ordering = ["standard", "id"]

    def __str__(self):
        return f"{self.standard_id} {self.name}"
