from . import evidence
from . import portal
