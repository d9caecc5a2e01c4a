"""Demo accounts: an operator, twenty consumers (every third one with a verified real name),
three retailers and two recyclers, each recycler with a QC colleague who validates wipes; the
organisations are vetted with made-up codes of the right shape."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services import identifiers
from services.accounts import membership, vetting
from services.accounts import service as accounts
from services.accounts.models import IdStatus, MemberRole, Organization, OrgKind, Role, User

DEMO_PASSWORD = "huanxin-demo-2026"
# (organisation and owner's name, the QC colleague's name, the place where they wipe devices)
RECYCLERS = [("吕梁再生资源回收 Lüliang Recycling", "质检 王检 QC Wang", "吕梁市离石区 吕梁再生资源分拣中心"),
             ("晋中绿色回收 Jinzhong Green", "质检 李检 QC Li", "晋中市榆次区 晋中绿色分拣中心")]


def users(session: Session) -> dict[str, list[User]]:
    out: dict[str, list[User]] = {"consumer": [], "retailer": [], "recycler": [], "operator": []}
    out["operator"].append(accounts.create_operator(session, email="operator@demo.huanxin.cn",
                                                    password=DEMO_PASSWORD, display_name="运营 Operator"))
    for i in range(1, 21):
        u = accounts.register(session, email=f"consumer{i}@demo.huanxin.cn", password=DEMO_PASSWORD, confirmed=True,
                              display_name=f"用户{i}", role=Role.CONSUMER)
        if i % 3 == 0:
            u.id_status, u.id_last4 = IdStatus.VERIFIED, f"{i:03d}X"[-4:]
            u.id_hash = identifiers.hmac_hash(session, f"demo-{i}", purpose="resident_id")
        out["consumer"].append(u)
    for i, name in enumerate(["国美吕梁店 Gome Lüliang", "苏宁太原店 Suning Taiyuan", "京东家电 JD Appliances"], 1):
        out["retailer"].append(accounts.register(session, email=f"retailer{i}@demo.huanxin.cn",
                                                 password=DEMO_PASSWORD, display_name=name, confirmed=True,
                                                 role=Role.RETAILER, org_name=name))
    out["recycler_qc"] = []
    for i, (name, qc_name, _) in enumerate(RECYCLERS, 1):
        owner = accounts.register(session, email=f"recycler{i}@demo.huanxin.cn", password=DEMO_PASSWORD, confirmed=True,
                                  display_name=name, role=Role.RECYCLER, org_name=name)
        out["recycler"].append(owner)
        # The second person who validates wipes (a certificate needs one besides the technician).
        # Registration gives every recycler an organisation of their own; the owner then adds them.
        qc = accounts.register(session, email=f"recycler{i}-qc@demo.huanxin.cn", password=DEMO_PASSWORD, confirmed=True,
                               display_name=qc_name, role=Role.RECYCLER, org_name=f"{qc_name} (个人 personal)")
        inv = membership.invite(session, owner, next(iter(owner.org_ids())), qc.email, MemberRole.STAFF)
        membership.respond(session, qc, inv.id, True)
        out["recycler_qc"].append(qc)
    _vet(session, out["retailer"] + out["recycler"])
    session.flush()
    return out


def _vet(session: Session, owners: list[User]) -> None:
    """Vetted demo organisations: codes of the right shape (GB 32100 check character), made up."""
    for n, owner in enumerate(owners, 1):
        org = session.get(Organization, next(iter(owner.org_ids())))
        body = f"91141100MA0DE{n:04d}"
        vetting.record_verified(session, org, uscc=body + identifiers.uscc_check_char(body), reason="demo seed",
                                recycling_reg_no=f"晋回收备-1411-{n:04d}" if org.kind == OrgKind.RECYCLER else None)
