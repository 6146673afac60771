"""AWS adapters: the only place the library talks to AWS (boto3 loaded lazily)."""
