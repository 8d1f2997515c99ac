from . import cobranca_letter_report
from . import cobranca_evidence_report
from . import cobranca_aging_report
from . import cobranca_statement_report
