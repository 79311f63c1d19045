"""The names of a ZIP's entries as their author wrote them, whatever the archiver.

An entry flagged UTF-8 (general purpose bit 11) is read as UTF-8, and Python does so. An
entry not flagged is read by Python as code page 437, the format's historical default, but
archivers write other bytes there: Info-ZIP adds the UTF-8 name in an extra field (0x7075);
macOS and many recent tools write UTF-8 without the flag ("Diplôme" read as "Dipl├┤me");
Windows' own archiver writes the OEM code page of its locale, 850 in Western Europe, where
the accented capitals differ from 437. So: the extra field, else the bytes as UTF-8 when
they are valid UTF-8, else code page 850.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

UTF8_FLAG = 0x800
UNICODE_PATH_FIELD = 0x7075


def _unicode_path(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    extra = info.extra
    offset = 0
    while offset + 4 <= len(extra):
        field_id, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        offset += 4 + size
        if field_id != UNICODE_PATH_FIELD or len(body) < 5 or body[0] != 1:
            continue
        # The field holds for the name it was written with only: a renamed entry keeps a
        # stale one, which its CRC gives away.
        (crc,) = struct.unpack_from("<I", body, 1)
        if crc != zlib.crc32(raw):
            continue
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    unicode_path = _unicode_path(info, raw)
    if unicode_path is not None:
        return unicode_path.replace("\\", "/")
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        name = raw.decode("cp850")
    # Python turns the separators of the name it decoded; do the same for this one.
    return name.replace("\\", "/")


def decode_names(archive: zipfile.ZipFile) -> None:
    """Give every entry its real name; opening an entry still checks the name as stored."""
    for info in archive.infolist():
        info.filename = entry_name(info)
