from . import res_partner
from . import sale_order
from . import cobranca_credit_override_wizard
from . import cobranca_demo
