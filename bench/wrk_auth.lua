-- wrk script: the shared reference script (env BASE_SCRIPT, e.g. /work/shared/bench/post_event.lua)
-- plus tracklake's "Authorization: Bearer $WRITE_KEY" header, so the collector runs with
-- authentication on as in production. Everything else (body, path, RESULT line) is the reference's.
dofile(assert(os.getenv("BASE_SCRIPT"), "set BASE_SCRIPT"))
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("WRITE_KEY"), "set WRITE_KEY")
