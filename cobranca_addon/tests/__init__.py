from . import test_regua_run
from . import test_channels
from . import test_bad_input
from . import test_sending
from . import test_security
from . import test_concurrency
from . import test_cron
from . import test_ui
