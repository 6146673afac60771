"""taxlake: the domain library shared by the Lambdas, Glue jobs and CLI.

Nothing here imports boto3 or awsglue at import time; AWS adapters live in
``taxlake.adapters`` and create their clients lazily.
"""

__version__ = "0.1.0"
