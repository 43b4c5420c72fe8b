"""The search's text-search configurations on PostgreSQL: ``ll_english``, ``ll_swedish`` and
``ll_dutch``, each looking a word up first in a Hunspell dictionary (PostgreSQL's ``ispell``
template) and then falling back to the language's Snowball stemmer.

Snowball alone misses natural inflections ("gemeenschappen" stems to "gemeenschapp", not
"gemeenschap"; "ledarskapet" stays as it is) and knows nothing of compounds; the Hunspell
dictionaries know both ("buurtorganisatie" is "buurt" + "organisatie"). Debian packages them
(``hunspell-sv``, ``hunspell-nl``, ``hunspell-en-us``); ``manage.py search_dictionaries``
converts them into PostgreSQL's ``tsearch_data`` directory (see ``convert_affix`` and
``convert_dictionary`` for what PostgreSQL 15's ispell template needs changed), then calls
``install`` on the database.

``install`` (also run by migration 0003, so a fresh database such as the test database gets
the configurations whenever the files are there) always creates the three configurations, so
the rest of the search only ever names ``ll_*``: with the dictionary files present a
configuration maps words to the ispell dictionary and then Snowball; without them it maps to
Snowball alone and a warning is logged. Running the command later upgrades them in place.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Language:
    code: str
    config: str  # our configuration
    snowball: str  # PostgreSQL's built-in configuration, stemmer and stop word list
    hunspell: str  # the Debian package's file name in /usr/share/hunspell, without extension

    @property
    def dictionary(self) -> str:
        """Our ispell dictionary's name, and the base name of its files in tsearch_data."""
        return f"ll_{self.code}_ispell"


LANGUAGES = (
    Language("en", "ll_english", "english", "en_US"),
    Language("sv", "ll_swedish", "swedish", "sv_SE"),
    Language("nl", "ll_dutch", "dutch", "nl"),
)
HUNSPELL_DIR = Path("/usr/share/hunspell")
# The token types a language's words come as (ASCII or not, parts of hyphenated words).
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def tsearch_data_dir() -> Path:
    """PostgreSQL's ``$(pg_config --sharedir)/tsearch_data`` (the server's, on this machine)."""
    sharedir = subprocess.run(["pg_config", "--sharedir"], check=True, capture_output=True, text=True).stdout
    return Path(sharedir.strip()) / "tsearch_data"


# --- Converting Hunspell files ---------------------------------------------------------------

_COMPOUND_KEYS = {
    "COMPOUNDFLAG": "any",
    "COMPOUNDBEGIN": "begin",
    "COMPOUNDMIDDLE": "middle",
    "COMPOUNDEND": "end",
    "COMPOUNDLAST": "end",
}


def _split_flags(flags: str, mode: str) -> list[str]:
    if mode == "long":
        return [flags[i : i + 2] for i in range(0, len(flags) - len(flags) % 2, 2)]
    if mode == "num":
        return [f for f in flags.split(",") if f.isdigit()]
    return list(flags)


def _join_flags(flags: list[str], mode: str) -> str:
    return ",".join(flags) if mode == "num" else "".join(flags)


@dataclass
class AffixInfo:
    mode: str
    # The flag naming each kind of compound part (begin, middle, end, any).
    compound: dict[str, str]
    # Compound flags an affix class hands on to the words it forms.
    inherited: dict[str, list[str]]


def read_affix(text: str) -> AffixInfo:
    mode = "char"
    kinds: dict[str, str] = {}
    inherited: dict[str, list[str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "FLAG" and len(parts) > 1:
            mode = parts[1] if parts[1] in ("long", "num") else "char"
        elif parts[0] in _COMPOUND_KEYS and len(parts) > 1:
            kinds[_COMPOUND_KEYS[parts[0]]] = parts[1]
    compound = set(kinds.values())
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] in ("SFX", "PFX") and "/" in parts[3]:
            continuation = _split_flags(parts[3].split("/", 1)[1], mode)
            for flag in continuation:
                if flag in compound and flag not in inherited.setdefault(parts[1], []):
                    inherited[parts[1]].append(flag)
    return AffixInfo(mode=mode, compound=kinds, inherited=inherited)


def convert_affix(text: str) -> str:
    """A Hunspell affix file as PostgreSQL's ispell template reads it.

    PostgreSQL reads Hunspell affix files (FLAG long, COMPOUNDBEGIN/MIDDLE/END, ONLYINCOMPOUND,
    COMPOUNDPERMITFLAG) once they are UTF-8 (callers decode with the file's ``SET`` encoding).
    One change: where a compound's first part ends in a joining affix (Swedish linking ``-s``:
    ``grannskap|s|organisering``), PostgreSQL checks that part as a compound's *middle* part
    (``SplitToVariants`` in its ``spell.c``), so an affix that may begin a compound may also
    stand in the middle of one.
    """
    info = read_affix(text)
    begin, middle = info.compound.get("begin"), info.compound.get("middle")
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^SET\s+\S+", "SET UTF-8", line.rstrip("\r"))
        parts = line.split()
        if begin and middle and len(parts) >= 5 and parts[0] in ("SFX", "PFX") and "/" in parts[3]:
            affix, _slash, flags = parts[3].partition("/")
            own = _split_flags(flags, info.mode)
            # Only affixes that add letters join compounds ("0" and "-" would let every
            # one-letter word of the dictionary stand between two others).
            if begin in own and middle not in own and affix not in ("0", "-"):
                parts[3] = f"{affix}/{_join_flags([*own, middle], info.mode)}"
                line = " ".join(parts)
        lines.append(line)
    return "\n".join(lines) + "\n"


# Shorter words never gain compound flags (Swedish lists single letters as words).
MIN_COMPOUND_PART = 3


def convert_dictionary(text: str, info: AffixInfo) -> str:
    """A Hunspell ``.dic`` as PostgreSQL's ispell template reads it.

    * Morphological fields after the word and its flags (``po:noun`` and the like) are dropped.
    * Words with an escaped slash (``km\\/h``) are dropped: PostgreSQL would read what follows
      the slash as flags (and fail on an odd-length "long" flag).
    * Compound joints: Hunspell lets an affix hand compound flags on to the form it makes
      (Swedish ``grannskap`` + linking ``-s`` may begin a compound: ``grannskapsorganisering``);
      PostgreSQL only honours compound flags on the dictionary word itself. So a word that takes
      such an affix gets the affix's compound flags too (never ``ONLYINCOMPOUND``), which lets
      PostgreSQL split ``grannskapsorganisering`` into ``grannskap`` and ``organisering``.
    """
    lines = text.splitlines()
    words = []
    for line in lines[1:]:
        if "\\/" in line:
            continue
        entry = line.split("\t")[0].split(" ")[0].strip()
        if not entry or entry.startswith("#"):
            continue
        word, _slash, flags = entry.partition("/")
        if flags and len(word) >= MIN_COMPOUND_PART:
            own = _split_flags(flags, info.mode)
            extra = [f for flag in own for f in info.inherited.get(flag, []) if f not in own]
            flags = _join_flags(own + list(dict.fromkeys(extra)), info.mode)
        words.append(f"{word}/{flags}" if flags else word)
    return f"{len(words)}\n" + "\n".join(words) + "\n"


def _read(path: Path) -> str:
    raw = path.read_bytes()
    match = re.search(rb"^SET\s+(\S+)", raw, re.MULTILINE)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    return raw.decode(encoding.replace("microsoft-", ""), errors="replace")


def install_files(target: Path | None = None, source: Path = HUNSPELL_DIR) -> list[str]:
    """Convert the Hunspell dictionaries found in ``source`` into ``target`` (PostgreSQL's
    tsearch_data by default). Returns the language codes installed."""
    target = target or tsearch_data_dir()
    installed = []
    for language in LANGUAGES:
        aff, dic = source / f"{language.hunspell}.aff", source / f"{language.hunspell}.dic"
        if not (aff.exists() and dic.exists()):
            continue
        affix_text = convert_affix(_read(aff))
        info = read_affix(affix_text)
        (target / f"{language.dictionary}.affix").write_text(affix_text, encoding="utf-8")
        (target / f"{language.dictionary}.dict").write_text(convert_dictionary(_read(dic), info), encoding="utf-8")
        installed.append(language.code)
    return installed


# --- Configurations in the database ------------------------------------------------------------


def _files_present(cursor, language: Language) -> bool:
    """Whether the server can read our dictionary files (asked of the server, which may run
    elsewhere: a dictionary that loads is the only proof)."""
    cursor.execute("SAVEPOINT ll_dictionary_probe")
    try:
        cursor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {language.dictionary}_probe")
        cursor.execute(
            f"CREATE TEXT SEARCH DICTIONARY {language.dictionary}_probe "
            f"(TEMPLATE = ispell, DictFile = {language.dictionary}, AffFile = {language.dictionary}, "
            f"StopWords = {language.snowball})"
        )
    except Exception:  # noqa: BLE001 — any failure means: no usable dictionary files.
        cursor.execute("ROLLBACK TO SAVEPOINT ll_dictionary_probe")
        return False
    cursor.execute(f"DROP TEXT SEARCH DICTIONARY {language.dictionary}_probe")
    cursor.execute("RELEASE SAVEPOINT ll_dictionary_probe")
    return True


def install(connection) -> dict[str, bool]:
    """Create or update ``ll_english``, ``ll_swedish`` and ``ll_dutch`` on ``connection``
    (PostgreSQL only; idempotent). Returns {language code: uses the Hunspell dictionary}."""
    if connection.vendor != "postgresql":
        return {}
    result = {}
    with connection.cursor() as cursor:
        for language in LANGUAGES:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [language.config])
            if not cursor.fetchone():
                cursor.execute(
                    f"CREATE TEXT SEARCH CONFIGURATION {language.config} (COPY = pg_catalog.{language.snowball})"
                )
            stemmer = f"pg_catalog.{language.snowball}_stem"
            if _files_present(cursor, language):
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {language.config} ALTER MAPPING FOR {WORD_TOKENS} WITH {stemmer}"
                )
                cursor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {language.dictionary}")
                cursor.execute(
                    f"CREATE TEXT SEARCH DICTIONARY {language.dictionary} "
                    f"(TEMPLATE = ispell, DictFile = {language.dictionary}, AffFile = {language.dictionary}, "
                    f"StopWords = {language.snowball})"
                )
                mapping = f"{language.dictionary}, {stemmer}"
                result[language.code] = True
            else:
                logger.warning(
                    "No Hunspell dictionary for %s in PostgreSQL's tsearch_data: %s uses Snowball alone "
                    "(run manage.py search_dictionaries).",
                    language.code,
                    language.config,
                )
                mapping = stemmer
                result[language.code] = False
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {language.config} ALTER MAPPING FOR {WORD_TOKENS} WITH {mapping}"
            )
    return result


def uses_hunspell(connection) -> dict[str, bool]:
    """Which configurations look words up in a Hunspell dictionary (for checks and reports)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT dictname FROM pg_ts_dict WHERE dictname LIKE 'll\\_%%\\_ispell'")
        present = {row[0] for row in cursor.fetchall()}
    return {language.code: language.dictionary in present for language in LANGUAGES}
