"""Why a returned file could not be read (or what to note about it).

Each issue has a stable code (tests and the validation layer use codes, never
wording), a message in Chinese for the clerk followed by English, an optional
technical detail and the package part it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ReadCode(str, Enum):
    """Stable codes of reading problems; ``short`` gives the zh and en names (the one
    place they are written: validation's READ_* codes and docs/findings.md use them)."""

    NOT_FOUND = "NOT_FOUND"
    EMPTY_FILE = "EMPTY_FILE"
    TOO_LARGE = "TOO_LARGE"
    NOT_A_ZIP = "NOT_A_ZIP"
    ENCRYPTED = "ENCRYPTED"
    LEGACY_XLS = "LEGACY_XLS"
    XLSB = "XLSB"
    ODS = "ODS"
    CSV_OR_TEXT = "CSV_OR_TEXT"
    HTML = "HTML"
    SPREADSHEETML_2003 = "SPREADSHEETML_2003"
    MACRO_ENABLED = "MACRO_ENABLED"
    ZIP_BOMB = "ZIP_BOMB"
    TOO_MANY_ENTRIES = "TOO_MANY_ENTRIES"
    BAD_ZIP_NAME = "BAD_ZIP_NAME"
    CORRUPT_ZIP = "CORRUPT_ZIP"
    NOT_XLSX = "NOT_XLSX"
    XML_ENTITIES = "XML_ENTITIES"
    XML_ERROR = "XML_ERROR"
    SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
    TOO_MANY_SHEETS = "TOO_MANY_SHEETS"
    STYLES_TOO_LARGE = "STYLES_TOO_LARGE"
    CELL_TOO_LONG = "CELL_TOO_LONG"
    MISSING_PART = "MISSING_PART"
    BAD_RELATIONSHIP = "BAD_RELATIONSHIP"
    DUPLICATE_SHEET_NAME = "DUPLICATE_SHEET_NAME"
    EXTERNAL_LINKS = "EXTERNAL_LINKS"
    READER_CRASHED = "READER_CRASHED"
    READER_ERROR = "READER_ERROR"
    SYMLINK = "SYMLINK"

    @property
    def blocking(self) -> bool:
        """False for notes: the workbook was read and can still be checked."""
        return self not in NON_BLOCKING

    @property
    def label(self) -> str:
        return self.name

    @property
    def short(self) -> tuple[str, str]:
        """(zh, en) short name of the problem."""
        return _SHORT[self]


NON_BLOCKING = frozenset({ReadCode.EXTERNAL_LINKS})

# The short names (zh, en) of the problems, for catalogs and tables.
_SHORT: dict[ReadCode, tuple[str, str]] = {
    ReadCode.NOT_FOUND: ("文件不存在或无法打开", "file not found or not readable"),
    ReadCode.EMPTY_FILE: ("文件为空", "file is empty"),
    ReadCode.TOO_LARGE: ("文件过大", "file too large"),
    ReadCode.NOT_A_ZIP: (
        "不是 Excel 工作簿（无法识别的格式）",
        "not a workbook (unrecognised format)",
    ),
    ReadCode.ENCRYPTED: ("文件已加密", "file is encrypted / password-protected"),
    ReadCode.LEGACY_XLS: ("旧版 .xls 格式", "old binary .xls format"),
    ReadCode.XLSB: ("二进制 .xlsb 格式", "binary .xlsb format"),
    ReadCode.ODS: ("OpenDocument 表格（.ods）", "OpenDocument spreadsheet (.ods)"),
    ReadCode.CSV_OR_TEXT: ("文本/CSV 文件", "text or CSV file"),
    ReadCode.HTML: ("网页（HTML）文件", "HTML file"),
    ReadCode.SPREADSHEETML_2003: ("Excel 2003 XML 表格", "Excel 2003 XML spreadsheet"),
    ReadCode.MACRO_ENABLED: ("含宏", "contains macros"),
    ReadCode.ZIP_BOMB: ("解压后过大（疑似压缩炸弹）", "expands too much (suspected zip bomb)"),
    ReadCode.TOO_MANY_ENTRIES: ("压缩包内文件过多", "too many zip entries"),
    ReadCode.BAD_ZIP_NAME: ("压缩包内文件名不安全", "unsafe or duplicate zip member names"),
    ReadCode.CORRUPT_ZIP: ("文件损坏或不完整", "corrupt or truncated file"),
    ReadCode.NOT_XLSX: (
        "不是 Excel 工作簿（压缩包内容不对）",
        "zip package is not an xlsx workbook",
    ),
    ReadCode.XML_ENTITIES: ("含 DTD/实体声明", "XML declares a DTD or entities"),
    ReadCode.XML_ERROR: ("XML 格式错误", "malformed XML"),
    ReadCode.SHEET_TOO_LARGE: ("工作表数据超出范围", "sheet data beyond limits"),
    ReadCode.TOO_MANY_SHEETS: ("工作表过多", "too many sheets"),
    ReadCode.STYLES_TOO_LARGE: ("单元格格式过多", "too many cell formats"),
    ReadCode.CELL_TOO_LONG: ("单元格文字过长", "cell text too long"),
    ReadCode.MISSING_PART: ("文件缺少组成部分", "part missing from the package"),
    ReadCode.BAD_RELATIONSHIP: ("文件内部引用错误", "invalid package relationship"),
    ReadCode.DUPLICATE_SHEET_NAME: ("工作表重名", "duplicate sheet names"),
    ReadCode.EXTERNAL_LINKS: ("含外部链接", "external links / data connections"),
    ReadCode.READER_CRASHED: ("读取进程崩溃或超时", "reader process crashed or timed out"),
    ReadCode.READER_ERROR: ("读取出错", "the reader reported an error"),
    ReadCode.SYMLINK: ("符号链接，不读取", "a symbolic link, not read"),
}

# What the clerk is told (zh) and the English line after it.
_TEXT: dict[ReadCode, tuple[str, str]] = {
    ReadCode.NOT_FOUND: (
        "找不到文件或无法打开。",
        "The file does not exist or cannot be opened.",
    ),
    ReadCode.EMPTY_FILE: (
        "文件是空的（0 字节），可能上传或保存失败，请重新报送。",
        "The file is empty (0 bytes); the upload or save probably failed. Please send it again.",
    ),
    ReadCode.TOO_LARGE: (
        "文件太大，超出系统允许的大小。请只保留填报表格后重新报送。",
        "The file is larger than allowed. Keep only the report sheets and send it again.",
    ),
    ReadCode.NOT_A_ZIP: (
        "文件不是 Excel 工作簿，无法识别其格式。"
        "请用 Excel 打开下发的模板填写后，另存为 .xlsx 报送。",
        "The file is not an Excel workbook (unrecognised format). Fill in the issued template "
        "and save it as .xlsx.",
    ),
    ReadCode.ENCRYPTED: (
        "文件设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码后重新报送。",
        "The workbook is encrypted / password-protected. Remove the password in Excel and send "
        "it again.",
    ),
    ReadCode.LEGACY_XLS: (
        "文件是旧版 Excel 97-2003（.xls）或其它二进制格式。请用 Excel 打开，另存为"
        "“Excel 工作簿（*.xlsx）”后重新报送。",
        "This is an old Excel 97-2003 (.xls) or other binary file. Open it in Excel and save it "
        "as an Excel Workbook (*.xlsx).",
    ),
    ReadCode.XLSB: (
        "文件是 Excel 二进制工作簿（.xlsb）。请另存为“Excel 工作簿（*.xlsx）”后重新报送。",
        "This is an Excel binary workbook (.xlsb). Save it as an Excel Workbook (*.xlsx).",
    ),
    ReadCode.ODS: (
        "文件是 OpenDocument 表格（.ods，WPS/LibreOffice 格式）。请另存为 Excel 工作簿（.xlsx）"
        "后重新报送。",
        "This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx).",
    ),
    ReadCode.CSV_OR_TEXT: (
        "文件是文本（CSV 或纯文本），不是 Excel 工作簿。请在下发的模板中填写后以 .xlsx 报送。",
        "The file is text (CSV or plain text), not an Excel workbook. Fill in the issued "
        "template and send it as .xlsx.",
    ),
    ReadCode.HTML: (
        "文件是网页（HTML），常见于业务系统“导出 Excel”。请用 Excel 打开后另存为 .xlsx，"
        "或直接在下发的模板中填写。",
        "The file is an HTML page (often produced by 'export to Excel'). Open it in Excel and "
        "save it as .xlsx, or fill in the issued template.",
    ),
    ReadCode.SPREADSHEETML_2003: (
        "文件是 Excel 2003 XML 表格格式，不受支持。请另存为 Excel 工作簿（.xlsx）。",
        "The file is an Excel 2003 XML spreadsheet, which is not supported. Save it as .xlsx.",
    ),
    ReadCode.MACRO_ENABLED: (
        "文件含有宏（VBA 或 Excel 4.0 宏表）。为安全起见不予读取。请另存为不含宏的"
        "“Excel 工作簿（*.xlsx）”后重新报送。",
        "The workbook contains macros (VBA or Excel 4.0 macro sheets) and is not read for "
        "safety. Save it as a macro-free Excel Workbook (*.xlsx).",
    ),
    ReadCode.ZIP_BOMB: (
        "文件解压后体积异常巨大（疑似恶意“压缩炸弹”），已拒绝读取。",
        "The file would expand to an abnormal size (suspected zip bomb); refused.",
    ),
    ReadCode.TOO_MANY_ENTRIES: (
        "文件内部包含的组成部分过多，已拒绝读取。",
        "The package holds too many members; refused.",
    ),
    ReadCode.BAD_ZIP_NAME: (
        "文件内部含有不安全或重复的文件名（可能被篡改），已拒绝读取。请用下发的模板重新填写。",
        "The package holds unsafe or duplicate member names (possibly tampered with); refused. "
        "Please fill in the issued template again.",
    ),
    ReadCode.CORRUPT_ZIP: (
        "文件已损坏或不完整（可能上传中断）。请用 Excel 打开确认无误、重新保存后再报送。",
        "The file is corrupt or truncated (perhaps an interrupted upload). Open it in Excel, "
        "save it again and resend.",
    ),
    ReadCode.NOT_XLSX: (
        "文件不是 Excel 工作簿（可能是 Word/PowerPoint 文件或改了扩展名）。"
        "请报送填好的 .xlsx 模板。",
        "The package is not an Excel workbook (maybe a Word/PowerPoint file or a renamed file). "
        "Send the filled-in .xlsx template.",
    ),
    ReadCode.XML_ENTITIES: (
        "文件内部含有不允许的 XML 声明（DTD/实体），可能是恶意文件，已拒绝读取。",
        "The file's XML declares a DTD or entities, which is not allowed (possibly malicious); "
        "refused.",
    ),
    ReadCode.XML_ERROR: (
        "文件内部数据格式错误（XML 损坏或含非法字符），Excel 通常也无法正常打开。"
        "请用 Excel 打开、修复并重新保存后报送。",
        "The file's XML is malformed, truncated or holds illegal characters. Open it in Excel, "
        "repair and save it, then resend.",
    ),
    ReadCode.SHEET_TOO_LARGE: (
        "工作表的数据范围超出允许的大小（例如远处的单元格、整表合并或超大区域）。"
        "请删除表格以外的多余内容后重新报送。",
        "A sheet's data extends beyond the allowed size (far-away cells, whole-sheet merges or "
        "huge ranges). Delete everything outside the table and resend.",
    ),
    ReadCode.TOO_MANY_SHEETS: (
        "工作簿中的工作表过多。请不要增加工作表，使用下发的模板报送。",
        "The workbook has too many sheets. Do not add sheets; use the issued template.",
    ),
    ReadCode.STYLES_TOO_LARGE: (
        "文件中的单元格格式数量异常多，已拒绝读取。请把数据复制到下发的模板中（选择性粘贴“数值”）"
        "后重新报送。",
        "The file holds an abnormal number of cell formats; refused. Paste the values into the "
        "issued template and resend.",
    ),
    ReadCode.CELL_TOO_LONG: (
        "有单元格文字超过 Excel 允许的 32767 个字符。请缩短后重新报送。",
        "A cell holds more text than Excel allows (32,767 characters). Shorten it and resend.",
    ),
    ReadCode.MISSING_PART: (
        "文件缺少必需的组成部分（损坏或由不兼容的软件生成）。请用 Excel 打开并重新保存后报送。",
        "A required part is missing from the file (corrupt or written by incompatible software). "
        "Open it in Excel, save it again and resend.",
    ),
    ReadCode.BAD_RELATIONSHIP: (
        "文件内部的引用关系错误或指向文件之外（可能被篡改），已拒绝读取。",
        "The package's internal references are invalid or point outside the file (possibly "
        "tampered with); refused.",
    ),
    ReadCode.DUPLICATE_SHEET_NAME: (
        "工作簿中有重名的工作表（Excel 不区分大小写）。请使用下发的模板，不要改动工作表名称。",
        "The workbook has duplicate sheet names (Excel ignores case). Use the issued template "
        "without renaming sheets.",
    ),
    ReadCode.EXTERNAL_LINKS: (
        "文件含有指向其它文件或数据源的外部链接，相关数值可能不是最新的，系统不会访问这些链接。",
        "The workbook links to other files or data sources; those values may be stale. The "
        "links are never followed.",
    ),
    ReadCode.READER_CRASHED: (
        "读取文件时超出时间或内存限制（文件可能异常或被构造），已中止。",
        "Reading the file exceeded the time or memory limit (the file may be malformed or "
        "crafted); aborted.",
    ),
    ReadCode.SYMLINK: (
        "这是一个指向别处的链接（符号链接），不是报送的文件本身，不予读取。请直接放入报表文件。",
        "This is a symbolic link to somewhere else, not a returned file; it is not read. "
        "Put the workbook itself in the folder.",
    ),
    ReadCode.READER_ERROR: (
        "读取文件时出错，文件可能已损坏。请用 Excel 打开并重新保存后报送。",
        "The reader failed on this file; it may be corrupt. Open it in Excel, save it again "
        "and resend.",
    ),
}


def message_of(code: ReadCode) -> str:
    zh, en = _TEXT[code]
    return f"{zh} {en}"


@dataclass(frozen=True)
class ReadIssue:
    code: ReadCode
    message: str
    detail: str = ""
    part: str = ""

    @property
    def blocking(self) -> bool:
        return self.code.blocking

    @property
    def zh(self) -> str:
        return _TEXT[self.code][0]

    @property
    def en(self) -> str:
        return _TEXT[self.code][1]

    def one_line(self) -> str:
        text = f"[{self.code.name}] {self.message}"
        if self.part:
            text += f" ({self.part})"
        if self.detail:
            text += f" — {self.detail}"
        return text


def issue(code: ReadCode, detail: str = "", part: str = "") -> ReadIssue:
    return ReadIssue(code, message_of(code), detail, part)


def show(text: str, limit: int = 60) -> str:
    """A name from the file, safe to put in a message: control characters escaped, shortened."""
    out = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 1] + "…"
