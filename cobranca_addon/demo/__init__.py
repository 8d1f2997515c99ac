from . import cobranca_demo
