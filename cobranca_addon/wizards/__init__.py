from . import cobranca_exclusion_wizard
