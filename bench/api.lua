-- Lists sessions through the API with a key.
wrk.headers["X-Api-Key"] = os.getenv("API_KEY")
