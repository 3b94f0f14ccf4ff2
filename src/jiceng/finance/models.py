"""Village finances (三资): the books of a village's collective economic organisation, its chart of
accounts, vouchers (记账凭证) and their lines, assets and resources with their contracts and rent
dues, the democratic finance panel (民主理财小组) with its signatures and the monthly close, and the
hand-over reports (财务交接). Money is integer fen (分) everywhere. Data only; the rules are in
services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Org
from jiceng.people.models import Person


class Keeper(models.TextChoices):
    VILLAGE = "village", _("kept by the village")  # 村自主记账
    TOWNSHIP = "township", _("kept by the township agency")  # 村账乡代管 / 双代管


class Books(models.Model):
    """One set of books per village (its collective economic organisation)."""

    org = models.OneToOneField(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    keeper = models.CharField(_("books kept by"), max_length=10, choices=Keeper.choices)
    opened_on = models.DateField(_("opened on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("books")
        verbose_name_plural = _("books")

    def __str__(self) -> str:
        return f"{self.org} {self.get_keeper_display()}"


class Category(models.TextChoices):
    ASSET = "asset", _("assets")  # 资产类
    LIABILITY = "liability", _("liabilities")  # 负债类
    EQUITY = "equity", _("owners' equity")  # 所有者权益类
    COST = "cost", _("costs")  # 成本类
    PNL = "pnl", _("profit and loss")  # 损益类


class Side(models.TextChoices):
    DEBIT = "debit", _("debit")
    CREDIT = "credit", _("credit")


class Account(models.Model):
    """A 会计科目: the national default chart (``county`` empty) or a county's sub-account."""

    county = models.ForeignKey(
        Org, verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    normal = models.CharField(_("normal balance"), max_length=6, choices=Side.choices)
    subsidy = models.BooleanField(_("subsidy income"), default=False)  # 补助收入: not operating income
    parent = models.ForeignKey(
        "self", verbose_name=_("parent account"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("account")
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="finance_account_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(county__isnull=True), name="finance_account_default_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Voucher(models.Model):
    """A 记账凭证, numbered per village per year without gaps. Never edited or deleted once posted:
    a correction is a reversing voucher (``reverses``) with the lines negated (红字冲销)."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("voucher number"))
    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=200)
    counterparty = models.CharField(_("counterparty"), max_length=100, blank=True)
    counterparty_uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    # the decided matter a large expense cites (decisions app; its id and title as decided)
    matter_ref = models.PositiveIntegerField(_("decided matter"), null=True, blank=True)
    matter_title = models.CharField(_("decided matter"), max_length=200, blank=True)
    due = models.ForeignKey(
        "ContractDue",
        verbose_name=_("rent due"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    amount = models.BigIntegerField(_("amount (fen)"))  # the debit total (= the credit total)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "number"], name="finance_voucher_number")
        ]
        indexes = [models.Index(fields=["org", "date"])]

    def __str__(self) -> str:
        return f"{self.year}-{self.number:04d} {self.summary}"


class Line(models.Model):
    """One line of a voucher: an account debited or credited (fen; negative on a reversal). The
    village and the date are copied from the voucher so balances are one grouped sum."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="lines")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    debit = models.BigIntegerField(_("debit (fen)"), default=0)
    credit = models.BigIntegerField(_("credit (fen)"), default=0)

    class Meta:
        verbose_name = _("voucher line")
        indexes = [models.Index(fields=["org", "date", "account"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.debit} / {self.credit}"


class VoucherPhoto(models.Model):
    """An attachment (receipt, invoice, contract scan), stored by core.photos without metadata."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="photos")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=20)

    def __str__(self) -> str:
        return self.name


class AssetKind(models.TextChoices):
    LAND = "land", _("land")  # 耕地、园地
    FOREST = "forest", _("forest land")  # 林地
    WATER = "water", _("water surface")  # 水面
    BUILDING = "building", _("buildings")  # 房屋、厂房
    EQUIPMENT = "equipment", _("machinery and equipment")
    FACILITY = "facility", _("public facilities")
    OTHER = "other", _("other")


class Asset(models.Model):
    """A collective asset or resource (资产、资源) in the register."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=100)
    quantity = models.DecimalField(_("quantity or area"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10)
    value = models.BigIntegerField(_("value (fen)"), default=0)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("asset or resource")

    def __str__(self) -> str:
        return self.name


class ContractKind(models.TextChoices):
    CONTRACTING = "contracting", _("contracting")  # 承包
    LEASE = "lease", _("lease")  # 租赁


class Contract(models.Model):
    """A 承包/租赁 contract on a collective asset: its term and the rent per period."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset or resource"), null=True, blank=True, on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    counterparty = models.CharField(_("counterparty"), max_length=100)
    counterparty_uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    rent = models.BigIntegerField(_("rent per period (fen)"))
    period_months = models.PositiveSmallIntegerField(_("months per period"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")

    def __str__(self) -> str:
        return f"{self.counterparty} {self.starts_on}–{self.ends_on}"


class ContractDue(models.Model):
    """A rent due, generated from the contract's terms; paid by a voucher citing it."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="dues")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    amount = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("rent due")
        indexes = [models.Index(fields=["org", "due_on"])]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("spouse")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    GRANDPARENT = "grandparent", _("grandparent or grandchild")
    IN_LAW = "in_law", _("parent- or child-in-law")


class Kinship(models.Model):
    """A declared close relation between two persons (近亲属), read when a panel seat is filled."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    relative = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.person_id}—{self.relative_id} {self.relation}"


class PanelSeat(models.Model):
    """A seat on the village's democratic finance panel (民主理财小组)."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("finance panel seat")

    def __str__(self) -> str:
        return f"{self.person_id} {self.since}"


class MonthClose(models.Model):
    """A closed month (月结) of a village's books: no voucher dated in it changes after this."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # its first day
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"))
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("closed month")
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="finance_month_close")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m}"


class Signature(models.Model):
    """A panel member's signature on a month's accounts, with their opinion; ``on_paper``: the
    member signed on paper and township staff recorded it, naming them."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(_("opinion"), max_length=300)
    agrees = models.BooleanField(_("agrees"), default=True)
    on_paper = models.BooleanField(_("signed on paper"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("panel signature")
        constraints = [
            models.UniqueConstraint(fields=["org", "month", "person"], name="finance_signature_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}"


class Handover(models.Model):
    """A hand-over report (财务交接) as of a day, frozen when generated (``snapshot``), confirmed by
    the outgoing and the incoming person."""

    org = models.ForeignKey(Org, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=50)
    outgoing = models.ForeignKey(
        Person, verbose_name=_("outgoing"), on_delete=models.PROTECT, related_name="+"
    )
    incoming = models.ForeignKey(
        Person, verbose_name=_("incoming"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    snapshot = models.JSONField(default=dict)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField()
    outgoing_confirmed_at = models.DateTimeField(null=True, blank=True)
    outgoing_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incoming_confirmed_at = models.DateTimeField(null=True, blank=True)
    incoming_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("hand-over report")

    def __str__(self) -> str:
        return f"{self.post} {self.as_of}"

    @property
    def confirmed(self) -> bool:
        return self.outgoing_confirmed_at is not None and self.incoming_confirmed_at is not None
