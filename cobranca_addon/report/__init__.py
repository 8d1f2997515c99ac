from . import cobranca_letter_report
