# Threads, hashlib digests, sqlite in memory, a JSON round trip, subprocess and fork.
import hashlib, json, os, sqlite3, subprocess, threading, zlib
from concurrent.futures import ThreadPoolExecutor

digests, lock = {}, threading.Lock()
def work(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(str(i * n).encode())
    with lock:
        digests[n] = h.hexdigest()[:16]
threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 5)]
for t in threads: t.start()
for t in threads: t.join()
print(sorted(digests.items()))
with ThreadPoolExecutor(3) as ex:
    print(sum(ex.map(lambda x: x * x, range(1000))))
db = sqlite3.connect(":memory:")
db.execute("create table t(k text primary key, v integer)")
db.executemany("insert into t values (?, ?)", [(str(k), int(v, 16) % 1000) for k, v in digests.items()])
rows = db.execute("select k, v, sum(v) over (order by v) from t order by v").fetchall()
doc = {"rows": rows, "md5": hashlib.md5(b"x").hexdigest(), "blake2b": hashlib.blake2b(b"y").hexdigest()[:20],
       "sha3": hashlib.sha3_256(b"z").hexdigest()[:20], "crc": zlib.crc32(b"vk"), "f": [1.5, -0.0, 1e300]}
back = json.loads(json.dumps(doc, sort_keys=True))
print(json.dumps(back, sort_keys=True, indent=1))
print(back == json.loads(json.dumps(doc)))
print(subprocess.run(["/bin/echo", "child"], capture_output=True, text=True).stdout.strip())
pid = os.fork()
if pid == 0:
    os._exit(7)
print("fork status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
