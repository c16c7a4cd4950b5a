"""Which encoding a registry file is in, and the refusal of a file whose encoding is not its layout's (a UTF-8 file
read as Windows-1251 decodes without an error and would store every payer as mojibake).

Why a strict decode check rather than a statistical detector (charset-normalizer): a registry is mostly digits and
separators with a few short Cyrillic names, and on such text a detector guesses among neighbouring code pages (a
two-line Windows-1251 registry comes out as "cp1250" or "cp1125"), so refusing on its guess would refuse good files.
The strict check is deterministic: Russian text in Windows-1251 or CP866 is practically never valid UTF-8 (UTF-8
needs every byte from 0xC0 up to be followed by continuation bytes 0x80–0xBF, while in these code pages a letter is
followed by another letter), so a file with non-ASCII bytes that decodes as UTF-8 is UTF-8. A file that is not UTF-8
is named by the single-byte code page in which its non-ASCII bytes read as Russian letters.
"""

import codecs

# The bytes that are Russian letters (and №) in each single-byte code page: the rest of the upper half is
# punctuation, box drawing or letters of other alphabets.
RUSSIAN_BYTES = {
    "cp1251": bytes([*range(0xC0, 0x100), 0xA8, 0xB8, 0xB9]),
    "cp866": bytes([*range(0x80, 0xB0), *range(0xE0, 0xF2), 0xFC]),
}
UPPER_HALF = bytes(range(0x80, 0x100))
NAMES = {"utf-8": "utf-8", "cp1251": "cp1251 (Windows-1251)", "cp866": "cp866 (DOS)"}


def canonical(encoding: str) -> str:
    return codecs.lookup(encoding).name


def describe(encoding: str) -> str:
    return NAMES.get(canonical(encoding), encoding)


def detect(data: bytes) -> str | None:
    """ "utf-8", "cp1251" or "cp866"; None when the file is plain ASCII (it reads the same in any of them) or when
    none of them fits (then decoding by the layout decides)."""
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    return _single_byte(data)


def _single_byte(data: bytes) -> str | None:
    """The code page in which the larger share (over half) of the non-ASCII bytes are Russian letters; on a tie the
    first (Windows-1251, what banks send by default). Counted with bytes.translate: C speed on a 100 000-line file."""
    non_ascii = len(data) - len(data.translate(None, UPPER_HALF))
    best, best_share = None, 0.5
    for encoding, letters in RUSSIAN_BYTES.items():
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = (len(data) - len(data.translate(None, letters))) / non_ascii
        if share > best_share:
            best, best_share = encoding, share
    return best
