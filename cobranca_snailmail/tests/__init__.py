from . import test_snailmail_paid
