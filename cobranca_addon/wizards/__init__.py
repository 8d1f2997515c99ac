from . import cobranca_exclusion_wizard
from . import cobranca_credit_override_wizard
from . import cobranca_segment_override_wizard
from . import cobranca_agreement_wizard
from . import cobranca_aging_bucket_wizard
