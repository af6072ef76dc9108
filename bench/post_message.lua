-- post_message.lua - wrk script: POST one chat message per request, as a platform pushes chat.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
wrk.body = '{"sender":"consumer","text":"你好，耳机左边没有声音，可以换一个吗？","sent_at":"2025-11-04T09:30:00Z"}'
