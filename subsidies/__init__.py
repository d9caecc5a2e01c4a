"""Pure trade-in subsidy engine: official programmes as data files, and quotes over them.

Standard library and Decimal only; nothing here imports the rest of the project.

    from subsidies import Catalogue, load_programmes, quote
    catalogue = Catalogue(load_programmes())
    quote({"region": "141100", "date": "2025-06-01", "purchase": {...}}, catalogue).as_dict()
"""
from .engine import Catalogue, quote
from .loader import Issue, ProgrammeError, load_programmes
from .model import Line, Programme, Quote, Refusal
from .request import FieldError, HistoryEntry, QuoteRequest, RequestError, parse_request
from .vocabulary import KINDS

__all__ = [
    "Catalogue", "FieldError", "HistoryEntry", "Issue", "KINDS", "Line", "Programme",
    "ProgrammeError", "Quote", "QuoteRequest", "Refusal", "RequestError", "load_programmes",
    "parse_request", "quote",
]
