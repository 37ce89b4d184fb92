"""Citations: BibTeX and CSL-JSON out, BibTeX in (bibtexparser 2, not hand parsing)."""

from __future__ import annotations

import re
import unicodedata

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors

from eventsys.resources.models import Resource

BIBTEX_TYPES = {
    "literature": "article",
    "report": "techreport",
    "best_practice": "misc",
    "method": "misc",
    "presentation": "misc",
    "video": "misc",
    "conference": "misc",
    "link": "misc",
}
CSL_TYPES = {
    "literature": "article-journal",
    "report": "report",
    "best_practice": "document",
    "method": "software",
    "presentation": "speech",
    "video": "motion_picture",
    "conference": "event",
    "link": "webpage",
}
# BibTeX entry type: the kind an imported entry becomes.
IMPORT_KINDS = {
    "article": "literature",
    "book": "literature",
    "inbook": "literature",
    "incollection": "literature",
    "inproceedings": "literature",
    "phdthesis": "literature",
    "mastersthesis": "literature",
    "techreport": "report",
    "report": "report",
}


def cite_key(resource: Resource) -> str:
    first = (
        (resource.authors or ["anon"])[0].split(",")[0].split()[-1] if resource.authors else "anon"
    )
    ascii_name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    ascii_name = re.sub(r"[^a-z]", "", ascii_name) or "anon"
    return f"{ascii_name}{resource.year or ''}-{resource.id}"


def _brace(value: str) -> str:
    # Keep BibTeX's own characters from breaking the entry.
    return value.replace("{", "(").replace("}", ")")


def to_bibtex(resources: list[Resource], url_of) -> str:
    library = bibtexparser.Library()
    for resource in resources:
        fields = [model.Field("title", "{" + _brace(resource.title) + "}")]
        if resource.authors:
            fields.append(model.Field("author", " and ".join(_brace(a) for a in resource.authors)))
        if resource.year:
            fields.append(model.Field("year", str(resource.year)))
        if resource.doi:
            fields.append(model.Field("doi", resource.doi))
        fields.append(model.Field("url", resource.url or url_of(resource)))
        fields.append(model.Field("language", resource.language))
        if resource.organisation is not None and resource.kind.value == "report":
            fields.append(model.Field("institution", _brace(resource.organisation.name)))
        library.add(model.Entry(BIBTEX_TYPES[resource.kind.value], cite_key(resource), fields))
    return bibtexparser.write_string(library)


def _csl_name(author: str) -> dict:
    if "," in author:
        family, given = (p.strip() for p in author.split(",", 1))
        return {"family": family, "given": given}
    parts = author.split()
    if len(parts) > 1:
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"literal": author}


def to_csl(resource: Resource, url_of) -> dict:
    item = {
        "id": cite_key(resource),
        "type": CSL_TYPES[resource.kind.value],
        "title": resource.title,
        "language": resource.language,
        "URL": resource.url or url_of(resource),
    }
    if resource.authors:
        item["author"] = [_csl_name(a) for a in resource.authors]
    if resource.year:
        item["issued"] = {"date-parts": [[resource.year]]}
    if resource.doi:
        item["DOI"] = resource.doi
    if resource.organisation is not None:
        item["publisher"] = resource.organisation.name
    return item


class ImportProblem(Exception):
    pass


def from_bibtex(text: str) -> tuple[list[dict], int]:
    """Records (values for create_resource) from a BibTeX file, and how many entries
    could not be read."""
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors()]
        )
    except Exception as exc:  # the parser's errors vary by input; all mean "not BibTeX"
        raise ImportProblem(str(exc)) from exc
    records = []
    for entry in library.entries:
        fields = {k.lower(): v.value for k, v in entry.fields_dict.items()}

        def text_of(name: str, fields=fields) -> str:
            value = fields.get(name, "")
            if isinstance(value, list):
                value = " and ".join(value)
            return " ".join(str(value).replace("{", "").replace("}", "").split())

        authors = fields.get("author", [])
        if isinstance(authors, str):
            authors = [a.strip() for a in authors.split(" and ")]
        year = text_of("year")
        records.append(
            {
                "kind": IMPORT_KINDS.get(entry.entry_type.lower(), "literature"),
                "title": text_of("title"),
                "summary": text_of("abstract"),
                "authors": [
                    " ".join(str(a).replace("{", "").replace("}", "").split()) for a in authors
                ],
                "year": int(year) if year.isdigit() else None,
                "language": _language(text_of("language")),
                "url": text_of("url"),
                "doi": text_of("doi") or None,
                "key": entry.key,
            }
        )
    return records, len(library.failed_blocks)


def _language(value: str) -> str:
    value = value.lower()
    for code, names in {
        "nb": ("nb", "no", "nob", "norwegian", "norsk", "bokmål"),
        "nn": ("nn", "nno", "nynorsk"),
        "en": ("en", "eng", "english", "engelsk"),
        "sv": ("sv", "swe", "swedish", "svenska"),
        "da": ("da", "dan", "danish", "dansk"),
    }.items():
        if value in names:
            return code
    return "en" if not value else "en"
