"""The district package's findings, as the city collects it (``tianbao.city``): each
refuses the package, at its place (member, manifest field, row); and where a
district's plan differs from the targets the city issued it (``tianbao check``)."""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E = Severity.ERROR

PACKAGE: dict[Code, Entry] = {
    Code.PKG_UNREADABLE: Entry(
        E,
        "上报包无法读取",
        "the package cannot be read",
        {"": ("不是可读的上报包（zip）：{why}", "not a readable package (zip): {why}")},
    ),
    Code.PKG_MISSING: Entry(
        E,
        "上报包缺少文件",
        "a member of the package is missing",
        {"": ("缺少 {member}", "{member} is missing")},
    ),
    Code.PKG_DISTRICT: Entry(
        E,
        "区县不在本市计划中",
        "the district is not in the city plan",
        {
            "": (
                "区县“{district}”不在本市计划的 districts 中",
                "district {district!r} is not in the city plan",
            )
        },
    ),
    Code.PKG_SIGNATURE: Entry(
        E,
        "签名不符",
        "the signature does not verify",
        {
            "": (
                "签名与区县“{district}”的公钥不符：包被改动或不是该区县签发的",
                "the signature does not verify with {district}'s public key: altered, or not "
                "signed by it",
            )
        },
    ),
    Code.PKG_EDITED: Entry(
        E,
        "签名后被改动",
        "changed after signing",
        {
            "": (
                "{member} 签名后被改动（sha256 不符）",
                "{member} was changed after signing (sha256 differs)",
            )
        },
    ),
    Code.PKG_EXTRA: Entry(
        E,
        "清单外的文件",
        "a member not in the manifest",
        {"": ("{member} 不在清单中", "{member} is not listed in the manifest")},
    ),
    Code.PKG_UNSIGNED: Entry(
        E,
        "报告期未签发",
        "the period was not signed off",
        {"": ("{period} 未签发：不能上报", "{period} was not signed off: not a report")},
    ),
    Code.PKG_PERIOD: Entry(
        E,
        "报告期不符",
        "the period is not the one collected",
        {
            "": (
                "报告期 {period} 不是所收的 {wanted}",
                "period {period} is not the one collected ({wanted})",
            )
        },
    ),
    Code.PKG_PLAN_VERSION: Entry(
        E,
        "计划版本不符",
        "the plan version differs",
        {
            "": (
                "计划版本 {got} 与市里备案的 {want} 不同",
                "plan version {got} differs from the one the city has on file ({want})",
            )
        },
    ),
    Code.PKG_STALE: Entry(
        E,
        "旧的上报包",
        "an older package than the one counting",
        {
            "": (
                "签发时间 {at} 早于已收录的 {current}：旧包不替代新包",
                "signed off at {at}, before the package counting ({current}): an older "
                "package does not replace a newer one",
            )
        },
    ),
    Code.PKG_TOTALS: Entry(
        E,
        "合计与明细不符",
        "totals disagree with the long rows",
        {
            "": (
                "合计 {total} 不等于长表各行之和 {rows}",
                "the total {total} does not equal the sum of the package's long rows ({rows})",
            )
        },
    ),
    Code.PKG_CLOSED: Entry(
        E,
        "市里已签发该期",
        "the city has signed the period off",
        {
            "": (
                "{period} 市里已签发，数字已锁定，未收录；如须更正，市里先重新打开："
                'tianbao review reopen -p {period} --dept {district} --reason "…"',
                "the city signed {period} off: its figures stay, the package is not counted "
                "(to take a correction the city reopens it: tianbao review reopen -p {period} "
                '--dept {district} --reason "…")',
            )
        },
    ),
    Code.PKG_TRACE_MISSING: Entry(
        E,
        "档案中没有该文件",
        "the file is not in the archive",
        {
            "": (
                "{archive} 中没有 sha256 为 {sha256} 的文件",
                "no file with sha256 {sha256} in {archive}",
            )
        },
    ),
    Code.PKG_TRACE_ALTERED: Entry(
        E,
        "档案文件被改动",
        "the archived file was altered",
        {
            "": (
                "文件的 sha256 为 {actual}，与记录的 {sha256} 不符：已被改动，未读取",
                "its sha256 is {actual}, not the recorded {sha256}: altered, not read",
            )
        },
    ),
    Code.PKG_TRACE_UNREADABLE: Entry(
        E,
        "档案文件无法读取",
        "the archived file cannot be read",
        {"": ("无法读取：{why}", "cannot be read: {why}")},
    ),
    Code.PKG_TRACE_DIFFERS: Entry(
        E,
        "追溯的数不符",
        "the traced figures disagree",
        {
            "cell": (
                "档案中的报表此格为 {read}，汇总所用为 {value}",
                "the archived return has {read} in this cell, the figure used is {value}",
            ),
            "sum": (
                "所计的数 {figure} 不等于长表各行之和 {rows}",
                "the figure counted, {figure}, does not equal the sum of its long rows ({rows})",
            ),
        },
    ),
    Code.CITY_TARGET_DIFFERS: Entry(
        E,
        "区目标与市定目标不同",
        "the district's target differs from the city's",
        {
            "rate_pct": (
                "{indicator} 的增速目标：市定 {city}%，本区计划 {district}%",
                "{indicator}'s growth target: the city issued {city}%, the district's plan "
                "says {district}%",
            ),
            "level": (
                "{indicator} 的目标值：市定 {city}，本区计划 {district}",
                "{indicator}'s target level: the city issued {city}, the district's plan "
                "says {district}",
            ),
        },
    ),
}
