"""Bytes to text: encodings (declared, sniffed, given), binary files refused, Unicode normalised."""

from __future__ import annotations

import codecs
import re
import unicodedata

from kg.errors import (
    BinaryInputError,
    EncodingError,
)

__all__ = [
    "HSPACE",
    "check_encoding",
    "decode",
    "normalise_unicode",
]


_SNIFF_SIZE = 8192


_BINARY_CONTROL_SHARE = 0.10


# C0 controls that never occur in text (whitespace controls excluded) and DEL.
_BINARY_CONTROLS = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D}) | {0x7F}


_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028]")


_TRANSLATE = {
    # zero-width characters: invisible, and they break tokens apart
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,
    # non-breaking and fixed-width spaces become ordinary spaces
    0x00A0: " ",
    0x2007: " ",
    0x202F: " ",
    # a paragraph separator is a paragraph break
    0x2029: "\n\n",
}


_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


# Lone surrogates (JSON's "\ud800") cannot be written as UTF-8: each becomes U+FFFD,
# one character for one, so offsets into the text stay valid.
_SURROGATES = re.compile("[\ud800-\udfff]")


HSPACE = re.compile(r"[^\S\n]+")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_unicode(text: str) -> str:
    """Return ``text`` in the form every stage expects.

    Newlines become ``\\n``; zero-width characters (U+200B..U+200D, U+2060,
    U+FEFF) and control characters other than newline and tab are removed;
    non-breaking spaces become spaces; a lone surrogate becomes U+FFFD; the
    result is NFC. Curly quotes and apostrophes are kept as they are.

    Args:
        text: any text.

    Returns:
        The normalised text (its length may differ from ``text``).

    >>> normalise_unicode("Pentagon\\u2019s\\u00a0list\\u200b\\r\\nCafe\\u0301")
    'Pentagon’s list\\nCafé'
    """
    text = _NEWLINES.sub("\n", text)
    text = text.translate(_TRANSLATE)
    text = _CONTROLS.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def _looks_binary(sample: str) -> bool:
    """Whether a text sample (or bytes decoded as Latin-1) holds NULs or many control codes."""
    if not sample:
        return False
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) in _BINARY_CONTROLS)
    return controls / len(sample) > _BINARY_CONTROL_SHARE


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise EncodingError(
            f"unknown encoding {encoding!r}: use a name such as utf-8, latin-1 or cp1252"
        ) from err


def _binary_error(name: str) -> BinaryInputError:
    return BinaryInputError(
        f"{name}: looks like a binary file, not an article (if it is text, give its "
        "encoding with --encoding)"
    )


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of UTF-16 text that has no byte-order mark, told by where its NULs fall.

    English text in UTF-16 has a NUL in every other byte (the high byte of each
    ASCII character): at odd offsets in little-endian, at even ones in big-endian.
    Binary files have NULs on both sides.

    >>> _utf16_without_bom("Acme hired Jo.".encode("utf-16-le"))
    'utf-16-le'
    >>> _utf16_without_bom(b"\\x00\\x01\\x00\\x00" * 8) is None
    True
    """
    sample = data[: _SNIFF_SIZE & ~1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    for codec, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= pairs * 0.3 and other <= pairs * 0.01:
            return codec
    return None


def _not_utf8(name: str, data: bytes, err: UnicodeDecodeError) -> EncodingError:
    line = data.count(b"\n", 0, err.start) + 1
    return EncodingError(
        f"{name}: not UTF-8 text (line {line}, byte {err.start}); try --encoding latin-1 "
        "(or the file's encoding)"
    )


def decode(data: bytes, name: str, encoding: str | None, *, html: bool = False) -> str:
    """Decode a file's bytes: UTF-8 (or a BOM's encoding) unless ``encoding`` is given."""
    if encoding is not None:
        codec = check_encoding(encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"{name}: not valid {encoding} text (byte {err.start}); "
                "check the file's encoding and pass it with --encoding"
            ) from err
        if _looks_binary(text[:_SNIFF_SIZE]):
            raise _binary_error(name)
        return text.removeprefix("\ufeff")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as err:
                raise EncodingError(
                    f"{name}: starts like {codec} text but is not valid {codec}; "
                    "try --encoding with the file's encoding"
                ) from err
            if _looks_binary(text[:_SNIFF_SIZE]):
                raise _binary_error(name)
            return text.removeprefix("\ufeff")
    if _looks_binary(data[:_SNIFF_SIZE].decode("latin-1")):
        wide_codec = _utf16_without_bom(data) if len(data) % 2 == 0 else None
        if wide_codec is not None:
            try:
                wide = data.decode(wide_codec)
            except UnicodeDecodeError:
                wide = "\x00"
            if not _looks_binary(wide[:_SNIFF_SIZE]):
                return wide
        raise _binary_error(name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        declared = _declared_charset(data) if html else None
        if declared is not None:
            for codec in declared:
                try:
                    return data.decode(codec)
                except UnicodeDecodeError:
                    continue
        raise _not_utf8(name, data, err) from err


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _declared_charset(data: bytes) -> tuple[str, ...] | None:
    """The codecs to try for an HTML page's ``<meta charset>``, if it declares a known one."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Browsers read pages labelled Latin-1 or ASCII as Windows-1252.
    if codec in {"iso8859-1", "ascii"}:
        return ("cp1252", "iso8859-1")
    return (codec,)
