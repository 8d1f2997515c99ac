# Pure-Python helpers of cobranca_addon: no Odoo import, unit-tested on their own.
from . import aging
from . import calendario
from . import encargos
from . import entrada
from . import evidencia
from . import mensagem
from . import regua
from . import scoring
from . import extrato
from . import lgpd
from . import indicadores
