"""Names shown inside a unit are masked: the first character stays, every other becomes *.

张三 → 张*, 欧阳娜娜 → 欧***, a one-character name → *. Enough for a volunteer to recognise a
neighbour on a sign-in sheet, too little to identify a stranger from a printout. Lists above a
unit carry counts only and never call this.
"""
MASK = "*"


def mask_name(name):
    if name is None:
        return ""
    name = str(name).strip()
    if len(name) <= 1:
        return MASK * len(name)
    return name[0] + MASK * (len(name) - 1)
