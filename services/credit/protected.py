"""The deny-list that keeps protected attributes and their proxies out of every scorecard.

The issue forbids sex, age, ethnicity, religion, birthplace, health and social connections as
inputs, and anything that stands in for them. Feature names are checked here by the training
code, by `Scorecard` when a card is built or loaded, and by the participant feature extractor, so
a forbidden input fails loudly instead of being quietly dropped.

Names are split into lower-case tokens (snake_case, kebab-case, camelCase and spaces) and a name
is refused when one token, or one run of adjacent tokens, is on the list. Some compounds are
harmless although a token in them is not (an account's age is trade behaviour, a person's age is
not); those are listed in ALLOWED_COMPOUNDS and removed before the check.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from services.credit.errors import ProtectedAttributeError

# One word is enough to refuse a name.
DENIED_TOKENS: frozenset[str] = frozenset({
    # sex and gender
    "sex", "gender", "male", "female", "pregnant", "pregnancy", "maternity",
    # age and date of birth
    "age", "ages", "aged", "birth", "birthday", "birthdate", "birthdays", "dob", "born", "yob",
    # ethnicity, nationality, origin (民族, 籍贯, 户籍)
    "ethnicity", "ethnic", "race", "racial", "minzu", "nationality", "nation", "citizenship",
    "foreign", "foreigner", "immigrant", "immigration", "birthplace", "hukou", "jiguan",
    "hometown", "origin", "surname", "language", "dialect",
    # religion
    "religion", "religious", "faith", "belief", "beliefs", "church", "mosque", "temple",
    # health and disability
    "health", "medical", "disability", "disabled", "illness", "disease", "diagnosis",
    "handicap", "mental",
    # marital and family status
    "marital", "married", "marriage", "spouse", "widowed", "divorced", "children", "family",
    "relatives", "dependents", "dependants",
    # social connections
    "social", "friend", "friends", "followers", "following", "contacts", "wechat",
    "weibo", "guanxi", "network", "referrer", "referrers",
    # places that stand in for ethnicity or origin
    "province", "region", "city", "county", "district", "address", "postcode", "zipcode", "zip",
    "geo", "location", "latitude", "longitude", "gps",
})

# Runs of words that are denied together although each word alone is fine.
DENIED_PHRASES: tuple[tuple[str, ...], ...] = (
    ("personal", "status"),
    ("id", "number"),
    ("id", "card"),
    ("resident", "id"),
    ("national", "id"),
    ("phone", "book"),
    ("ip", "country"),
    ("native", "place"),
    ("date", "of", "birth"),
    ("year", "of", "birth"),
    ("place", "of", "birth"),
)

# Chinese names for the same things, matched as substrings.
DENIED_SUBSTRINGS_ZH: tuple[str, ...] = (
    "性别", "年龄", "出生", "生日", "民族", "种族", "籍贯", "户籍", "国籍", "宗教", "信仰",
    "健康", "疾病", "残疾", "婚姻", "好友", "联系人", "通讯录", "地址", "省份",
)

# Compounds that contain a denied token but describe trade behaviour, not the person.
ALLOWED_COMPOUNDS: tuple[tuple[str, ...], ...] = (
    ("account", "age"),
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of a feature name."""
    return [t for t in _SPLIT.split(_CAMEL.sub("_", name).lower()) if t]


def _without_allowed(toks: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(toks):
        for compound in ALLOWED_COMPOUNDS:
            if tuple(toks[i:i + len(compound)]) == compound:
                # Keep a separator so the tokens on either side never join into a phrase.
                out.append("")
                i += len(compound)
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def protected_reason(name: str) -> str | None:
    """Why `name` is a protected attribute or proxy, or None when it may be used."""
    for zh in DENIED_SUBSTRINGS_ZH:
        if zh in name:
            return f"contains '{zh}'"
    toks = _without_allowed(tokens(name))
    for tok in toks:
        if tok in DENIED_TOKENS:
            return f"word '{tok}' is a protected attribute or proxy"
    for phrase in DENIED_PHRASES:
        n = len(phrase)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i:i + n]) == phrase:
                return f"words '{' '.join(phrase)}' name a protected attribute or proxy"
    return None


def is_protected(name: str) -> bool:
    return protected_reason(name) is not None


def check_features(names: Iterable[str]) -> None:
    """Raise ProtectedAttributeError naming every protected input among `names`."""
    bad = {n: r for n in names if (r := protected_reason(n))}
    if bad:
        raise ProtectedAttributeError(
            "protected attributes or proxies cannot be scorecard inputs: "
            + "; ".join(f"{n} ({r})" for n, r in sorted(bad.items())),
            fields={n: [r] for n, r in bad.items()},
        )
