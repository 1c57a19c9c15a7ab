# ruff: noqa: E501  (the clerk's messages kept whole on one line each, to be searched)
"""The reading codes: why the guarded reader refused a returned file (or what it notes).

Each has its short name and what the clerk is told, Chinese then English; with the
reader's technical detail the English line ends in it (variant "detail").
"""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E, N = Severity.ERROR, Severity.NOTE


def _read(severity: Severity, zh: str, en: str, text_zh: str, text_en: str) -> Entry:
    texts = {"": (text_zh, text_en), "detail": (text_zh, text_en + " ({detail})")}
    return Entry(severity, zh, en, texts)


READ: dict[Code, Entry] = {
    Code.READ_NOT_FOUND: _read(
        E,
        "文件不存在或无法打开",
        "file not found or not readable",
        "找不到文件或无法打开。",
        "The file does not exist or cannot be opened.",
    ),
    Code.READ_EMPTY_FILE: _read(
        E,
        "文件为空",
        "file is empty",
        "文件是空的（0 字节），可能上传或保存失败，请重新报送。",
        "The file is empty (0 bytes); the upload or save probably failed. Please send it again.",
    ),
    Code.READ_TOO_LARGE: _read(
        E,
        "文件过大",
        "file too large",
        "文件太大，超出系统允许的大小。请只保留填报表格后重新报送。",
        "The file is larger than allowed. Keep only the report sheets and send it again.",
    ),
    Code.READ_NOT_A_ZIP: _read(
        E,
        "不是 Excel 工作簿（无法识别的格式）",
        "not a workbook (unrecognised format)",
        "文件不是 Excel 工作簿，无法识别其格式。请用 Excel 打开下发的模板填写后，另存为 .xlsx 报送。",
        "The file is not an Excel workbook (unrecognised format). Fill in the issued template and save it as .xlsx.",
    ),
    Code.READ_ENCRYPTED: _read(
        E,
        "文件已加密",
        "file is encrypted / password-protected",
        "文件设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码后重新报送。",
        "The workbook is encrypted / password-protected. Remove the password in Excel and send it again.",
    ),
    Code.READ_LEGACY_XLS: _read(
        E,
        "旧版 .xls 格式",
        "old binary .xls format",
        "文件是旧版 Excel 97-2003（.xls）或其它二进制格式。请用 Excel 打开，另存为“Excel 工作簿（*.xlsx）”后重新报送。",
        "This is an old Excel 97-2003 (.xls) or other binary file. Open it in Excel and save it as an Excel Workbook (*.xlsx).",
    ),
    Code.READ_XLSB: _read(
        E,
        "二进制 .xlsb 格式",
        "binary .xlsb format",
        "文件是 Excel 二进制工作簿（.xlsb）。请另存为“Excel 工作簿（*.xlsx）”后重新报送。",
        "This is an Excel binary workbook (.xlsb). Save it as an Excel Workbook (*.xlsx).",
    ),
    Code.READ_ODS: _read(
        E,
        "OpenDocument 表格（.ods）",
        "OpenDocument spreadsheet (.ods)",
        "文件是 OpenDocument 表格（.ods，WPS/LibreOffice 格式）。请另存为 Excel 工作簿（.xlsx）后重新报送。",
        "This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx).",
    ),
    Code.READ_CSV_OR_TEXT: _read(
        E,
        "文本/CSV 文件",
        "text or CSV file",
        "文件是文本（CSV 或纯文本），不是 Excel 工作簿。请在下发的模板中填写后以 .xlsx 报送。",
        "The file is text (CSV or plain text), not an Excel workbook. Fill in the issued template and send it as .xlsx.",
    ),
    Code.READ_HTML: _read(
        E,
        "网页（HTML）文件",
        "HTML file",
        "文件是网页（HTML），常见于业务系统“导出 Excel”。请用 Excel 打开后另存为 .xlsx，或直接在下发的模板中填写。",
        "The file is an HTML page (often produced by 'export to Excel'). Open it in Excel and save it as .xlsx, or fill in the issued template.",
    ),
    Code.READ_SPREADSHEETML_2003: _read(
        E,
        "Excel 2003 XML 表格",
        "Excel 2003 XML spreadsheet",
        "文件是 Excel 2003 XML 表格格式，不受支持。请另存为 Excel 工作簿（.xlsx）。",
        "The file is an Excel 2003 XML spreadsheet, which is not supported. Save it as .xlsx.",
    ),
    Code.READ_MACRO_ENABLED: _read(
        E,
        "含宏",
        "contains macros",
        "文件含有宏（VBA 或 Excel 4.0 宏表）。为安全起见不予读取。请另存为不含宏的“Excel 工作簿（*.xlsx）”后重新报送。",
        "The workbook contains macros (VBA or Excel 4.0 macro sheets) and is not read for safety. Save it as a macro-free Excel Workbook (*.xlsx).",
    ),
    Code.READ_ZIP_BOMB: _read(
        E,
        "解压后过大（疑似压缩炸弹）",
        "expands too much (suspected zip bomb)",
        "文件解压后体积异常巨大（疑似恶意“压缩炸弹”），已拒绝读取。",
        "The file would expand to an abnormal size (suspected zip bomb); refused.",
    ),
    Code.READ_TOO_MANY_ENTRIES: _read(
        E,
        "压缩包内文件过多",
        "too many zip entries",
        "文件内部包含的组成部分过多，已拒绝读取。",
        "The package holds too many members; refused.",
    ),
    Code.READ_BAD_ZIP_NAME: _read(
        E,
        "压缩包内文件名不安全",
        "unsafe or duplicate zip member names",
        "文件内部含有不安全或重复的文件名（可能被篡改），已拒绝读取。请用下发的模板重新填写。",
        "The package holds unsafe or duplicate member names (possibly tampered with); refused. Please fill in the issued template again.",
    ),
    Code.READ_CORRUPT_ZIP: _read(
        E,
        "文件损坏或不完整",
        "corrupt or truncated file",
        "文件已损坏或不完整（可能上传中断）。请用 Excel 打开确认无误、重新保存后再报送。",
        "The file is corrupt or truncated (perhaps an interrupted upload). Open it in Excel, save it again and resend.",
    ),
    Code.READ_NOT_XLSX: _read(
        E,
        "不是 Excel 工作簿（压缩包内容不对）",
        "zip package is not an xlsx workbook",
        "文件不是 Excel 工作簿（可能是 Word/PowerPoint 文件或改了扩展名）。请报送填好的 .xlsx 模板。",
        "The package is not an Excel workbook (maybe a Word/PowerPoint file or a renamed file). Send the filled-in .xlsx template.",
    ),
    Code.READ_XML_ENTITIES: _read(
        E,
        "含 DTD/实体声明",
        "XML declares a DTD or entities",
        "文件内部含有不允许的 XML 声明（DTD/实体），可能是恶意文件，已拒绝读取。",
        "The file's XML declares a DTD or entities, which is not allowed (possibly malicious); refused.",
    ),
    Code.READ_XML_ERROR: _read(
        E,
        "XML 格式错误",
        "malformed XML",
        "文件内部数据格式错误（XML 损坏或含非法字符），Excel 通常也无法正常打开。请用 Excel 打开、修复并重新保存后报送。",
        "The file's XML is malformed, truncated or holds illegal characters. Open it in Excel, repair and save it, then resend.",
    ),
    Code.READ_SHEET_TOO_LARGE: _read(
        E,
        "工作表数据超出范围",
        "sheet data beyond limits",
        "工作表的数据范围超出允许的大小（例如远处的单元格、整表合并或超大区域）。请删除表格以外的多余内容后重新报送。",
        "A sheet's data extends beyond the allowed size (far-away cells, whole-sheet merges or huge ranges). Delete everything outside the table and resend.",
    ),
    Code.READ_TOO_MANY_SHEETS: _read(
        E,
        "工作表过多",
        "too many sheets",
        "工作簿中的工作表过多。请不要增加工作表，使用下发的模板报送。",
        "The workbook has too many sheets. Do not add sheets; use the issued template.",
    ),
    Code.READ_STYLES_TOO_LARGE: _read(
        E,
        "单元格格式过多",
        "too many cell formats",
        "文件中的单元格格式数量异常多，已拒绝读取。请把数据复制到下发的模板中（选择性粘贴“数值”）后重新报送。",
        "The file holds an abnormal number of cell formats; refused. Paste the values into the issued template and resend.",
    ),
    Code.READ_CELL_TOO_LONG: _read(
        E,
        "单元格文字过长",
        "cell text too long",
        "有单元格文字超过 Excel 允许的 32767 个字符。请缩短后重新报送。",
        "A cell holds more text than Excel allows (32,767 characters). Shorten it and resend.",
    ),
    Code.READ_MISSING_PART: _read(
        E,
        "文件缺少组成部分",
        "part missing from the package",
        "文件缺少必需的组成部分（损坏或由不兼容的软件生成）。请用 Excel 打开并重新保存后报送。",
        "A required part is missing from the file (corrupt or written by incompatible software). Open it in Excel, save it again and resend.",
    ),
    Code.READ_BAD_RELATIONSHIP: _read(
        E,
        "文件内部引用错误",
        "invalid package relationship",
        "文件内部的引用关系错误或指向文件之外（可能被篡改），已拒绝读取。",
        "The package's internal references are invalid or point outside the file (possibly tampered with); refused.",
    ),
    Code.READ_DUPLICATE_SHEET_NAME: _read(
        E,
        "工作表重名",
        "duplicate sheet names",
        "工作簿中有重名的工作表（Excel 不区分大小写）。请使用下发的模板，不要改动工作表名称。",
        "The workbook has duplicate sheet names (Excel ignores case). Use the issued template without renaming sheets.",
    ),
    Code.READ_EXTERNAL_LINKS: _read(
        N,
        "含外部链接",
        "external links / data connections",
        "文件含有指向其它文件或数据源的外部链接，相关数值可能不是最新的，系统不会访问这些链接。",
        "The workbook links to other files or data sources; those values may be stale. The links are never followed.",
    ),
    Code.READ_READER_CRASHED: _read(
        E,
        "读取进程崩溃或超时",
        "reader process crashed or timed out",
        "读取文件时超出时间或内存限制（文件可能异常或被构造），已中止。",
        "Reading the file exceeded the time or memory limit (the file may be malformed or crafted); aborted.",
    ),
    Code.READ_READER_ERROR: _read(
        E,
        "读取出错",
        "the reader reported an error",
        "读取文件时出错，文件可能已损坏。请用 Excel 打开并重新保存后报送。",
        "The reader failed on this file; it may be corrupt. Open it in Excel, save it again and resend.",
    ),
    Code.READ_SYMLINK: _read(
        E,
        "符号链接，不读取",
        "a symbolic link, not read",
        "这是一个指向别处的链接（符号链接），不是报送的文件本身，不予读取。请直接放入报表文件。",
        "This is a symbolic link to somewhere else, not a returned file; it is not read. Put the workbook itself in the folder.",
    ),
}
