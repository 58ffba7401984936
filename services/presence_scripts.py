"""The Lua scripts of RedisPresence: each decision and its record in one atomic step (see presence_redis.py).

A script returns the transitions it made; only the instance that ran it publishes them, so each is
published once however many instances race.
"""
from __future__ import annotations

# KEYS: status, deadline, active, conns of the user. ARGV: user, member, now, ttl, grace.
CONNECT = """
local now = tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[4]), ARGV[2])
redis.call('ZADD', KEYS[2], 'GT', now + tonumber(ARGV[4]) + tonumber(ARGV[5]), ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'online' then
  redis.call('HSET', KEYS[1], ARGV[1], 'online')
  return 'online'
end
return false
"""

# KEYS: deadline, conns of the user. ARGV: user, member, now, grace. Returns 1 when no live page is left.
DISCONNECT = """
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
if redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[3], '+inf') > 0 then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
"""

# KEYS: status, active, conns of the user. ARGV: user, now.
ACTIVITY = """
if redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[2], '+inf') == 0 then return false end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'online' then
  redis.call('HSET', KEYS[1], ARGV[1], 'online')
  return 'online'
end
return false
"""

# KEYS: status, deadline, active. ARGV: conns key prefix, now, ttl, grace, then user, member pairs.
# Returns the users this renewal brought back online (their connections had run out: a long pause).
RENEW = """
local now, ttl, grace = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local revived = {}
for i = 5, #ARGV, 2 do
  local user, conns = ARGV[i], ARGV[1] .. ARGV[i]
  redis.call('ZREMRANGEBYSCORE', conns, '-inf', ARGV[2])
  redis.call('ZADD', conns, now + ttl, ARGV[i + 1])
  redis.call('ZADD', KEYS[2], 'GT', now + ttl + grace, user)
  if redis.call('HEXISTS', KEYS[1], user) == 0 then
    redis.call('HSET', KEYS[1], user, 'online')
    redis.call('ZADD', KEYS[3], now, user)
    table.insert(revived, user)
  end
end
return revived
"""

# KEYS: status, deadline, active. ARGV: conns key prefix, now, grace, away_after, limit.
# Returns user, status pairs: the transitions this sweep made.
SWEEP = """
local now, grace = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, user in ipairs(redis.call('ZRANGE', KEYS[2], '-inf', now, 'BYSCORE', 'LIMIT', 0, ARGV[5])) do
  local conns = ARGV[1] .. user
  redis.call('ZREMRANGEBYSCORE', conns, '-inf', ARGV[2])
  local last = redis.call('ZRANGE', conns, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', conns)
    redis.call('ZREM', KEYS[2], user)
    redis.call('ZREM', KEYS[3], user)
    if redis.call('HDEL', KEYS[1], user) == 1 then
      table.insert(out, user)
      table.insert(out, 'offline')
    end
  else
    redis.call('ZADD', KEYS[2], tonumber(last[2]) + grace, user)
  end
end
local idle = now - tonumber(ARGV[4])
for _, user in ipairs(redis.call('ZRANGE', KEYS[3], '-inf', idle, 'BYSCORE', 'LIMIT', 0, ARGV[5])) do
  redis.call('ZREM', KEYS[3], user)
  local live = redis.call('ZCOUNT', ARGV[1] .. user, '(' .. ARGV[2], '+inf')
  if live > 0 and redis.call('HGET', KEYS[1], user) == 'online' then
    redis.call('HSET', KEYS[1], user, 'away')
    table.insert(out, user)
    table.insert(out, 'away')
  end
end
return out
"""
