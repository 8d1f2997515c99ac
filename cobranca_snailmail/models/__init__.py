from . import cobranca_message
from . import snailmail_letter
