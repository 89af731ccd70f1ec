-- Sends the signed-in reviewer's cookie.
wrk.headers["Cookie"] = os.getenv("COOKIE")
