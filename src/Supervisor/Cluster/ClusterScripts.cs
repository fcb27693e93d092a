namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// The Lua scripts. Each runs atomically in Redis, which is what makes a nick claim, a lost server's announcement and
/// "append after exactly this entry" safe between hosts without a lock of our own. Every entry they append carries
/// <c>p</c>, the id of the entry before it, so a reader that resumes from its last id can tell whether what it reads
/// next really follows what it saw (see ClusterStreamReader). Each script is idempotent, so a call whose reply was
/// lost (Redis died after running it) may simply be made again: claims and leaves look at the state they leave
/// behind; lines and private lines carry a per-node sequence number kept in the writers hash.
/// KEYS: 1 stream, 2 nicks, 3 writers, 4 nodes, 5 a heartbeat. ARGV: 1 MAXLEN, 2 channel, 3 node, 4 incarnation, ...
/// A member record is "node TAB incarnation TAB member-id TAB nick TAB served-by TAB peer TAB joined-unix-seconds".
/// </summary>
internal static class ClusterScripts
{
    private const string Prelude = """
        local function top()
          local t = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
          if #t > 0 then return t[1][1] end
          return '0-0'
        end
        local function append(prev, kind, member, line, to)
          return redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'p', prev, 'k', kind, 'n', ARGV[3], 'm', member, 'l', line, 't', to)
        end
        local function fields(record)
          return string.match(record, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$')
        end
        local function mine(record, member)
          local n, inc, m = fields(record)
          return n == ARGV[3] and inc == ARGV[4] and m == member
        end
        local function record(member, nick, served, peer, joined)
          return table.concat({ARGV[3], ARGV[4], member, nick, served, peer, joined}, '\t')
        end
        local function lastseq()
          local w = redis.call('HGET', KEYS[3], ARGV[3])
          if w then
            local inc, s = string.match(w, '^(%S+) (%d+)$')
            if inc == ARGV[4] then return tonumber(s) end
          end
          return 0
        end
        local function setseq(seq)
          redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. ' ' .. string.format('%d', seq))
        end

        """;

    /// <summary>Lines. ARGV 5..: groups of (sequence, kind o|a, member, line). Returns how many were added.</summary>
    public const string Lines = Prelude + """
        local last = lastseq()
        local prev = top()
        local added = 0
        for i = 5, #ARGV, 4 do
          local seq = tonumber(ARGV[i])
          if seq > last then
            prev = append(prev, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], '')
            last = seq
            added = added + 1
          end
        end
        setseq(last)
        if added > 0 then redis.call('PUBLISH', ARGV[2], prev) end
        return added
        """;

    /// <summary>A join. ARGV 5 member, 6 base nick, 7 served-by, 8 peer, 9 joined. Returns {nick, other nicks...}.</summary>
    public const string ClaimGuest = Prelude + """
        local all = redis.call('HGETALL', KEYS[2])
        local own = nil
        local others = {}
        for i = 1, #all, 2 do
          local n, inc, m, nick = fields(all[i + 1])
          if n == ARGV[3] and inc == ARGV[4] and m == ARGV[5] then own = nick else table.insert(others, nick) end
        end
        if own then return {own, unpack(others)} end
        local nick = ARGV[6]
        local k = 2
        while redis.call('HEXISTS', KEYS[2], string.lower(nick)) == 1 do
          nick = ARGV[6] .. '-' .. k
          k = k + 1
        end
        redis.call('HSET', KEYS[2], string.lower(nick), record(ARGV[5], nick, ARGV[7], ARGV[8], ARGV[9]))
        local id = append(top(), 'o', ARGV[5], '* ' .. nick .. ' joined (' .. ARGV[7] .. ' on ' .. ARGV[3] .. ')', '')
        redis.call('PUBLISH', ARGV[2], id)
        return {nick, unpack(others)}
        """;

    /// <summary>A /nick. ARGV 5 member, 6 old, 7 new, 8 served-by, 9 peer, 10 joined. Returns 1 granted, 0 taken.</summary>
    public const string Rename = Prelude + """
        local newkey = string.lower(ARGV[7])
        local oldkey = string.lower(ARGV[6])
        local cur = redis.call('HGET', KEYS[2], newkey)
        if cur then
          if not mine(cur, ARGV[5]) then return 0 end
          local _, _, _, nick = fields(cur)
          if nick == ARGV[7] then return 1 end
        end
        local old = redis.call('HGET', KEYS[2], oldkey)
        if old and mine(old, ARGV[5]) then redis.call('HDEL', KEYS[2], oldkey) end
        redis.call('HSET', KEYS[2], newkey, record(ARGV[5], ARGV[7], ARGV[8], ARGV[9], ARGV[10]))
        local id = append(top(), 'a', ARGV[5], '* ' .. ARGV[6] .. ' is now known as ' .. ARGV[7], '')
        redis.call('PUBLISH', ARGV[2], id)
        return 1
        """;

    /// <summary>A private line. ARGV 5 sequence, 6 member, 7 from, 8 to, 9 text. Returns 1 sent, 0 no such nick.</summary>
    public const string Whisper = Prelude + """
        local seq = tonumber(ARGV[5])
        if seq <= lastseq() then return 1 end
        local to = string.lower(ARGV[8])
        if redis.call('HEXISTS', KEYS[2], to) == 0 then return 0 end
        local id = append(top(), 'w', ARGV[6], '*' .. ARGV[7] .. '* ' .. ARGV[9], to)
        setseq(seq)
        redis.call('PUBLISH', ARGV[2], id)
        return 1
        """;

    /// <summary>A leave. ARGV 5 member, 6 how. Returns how many nicks were released (0 on a retry).</summary>
    public const string Leave = Prelude + """
        local all = redis.call('HGETALL', KEYS[2])
        local prev = top()
        local count = 0
        for i = 1, #all, 2 do
          if mine(all[i + 1], ARGV[5]) then
            local _, _, _, nick = fields(all[i + 1])
            redis.call('HDEL', KEYS[2], all[i])
            prev = append(prev, 'o', ARGV[5], '* ' .. nick .. ' left (' .. ARGV[6] .. ')', '')
            count = count + 1
          end
        end
        if count > 0 then redis.call('PUBLISH', ARGV[2], prev) end
        return count
        """;

    /// <summary>
    /// Claims again the nicks of members Redis forgot. ARGV 5..: groups of (member, nick, served-by, peer, joined).
    /// Returns, per member, the nick it holds now (a guest nick where another host took its own meanwhile).
    /// </summary>
    public const string Reclaim = Prelude + """
        local prev = top()
        local result = {}
        local added = 0
        for i = 5, #ARGV, 5 do
          local member, nick = ARGV[i], ARGV[i + 1]
          local cur = redis.call('HGET', KEYS[2], string.lower(nick))
          if cur and not mine(cur, member) then
            local base = 'guest-' .. ARGV[3] .. '-' .. member
            nick = base
            local k = 2
            while redis.call('HEXISTS', KEYS[2], string.lower(nick)) == 1 do
              nick = base .. '-' .. k
              k = k + 1
            end
          end
          if not cur or not mine(cur, member) then
            redis.call('HSET', KEYS[2], string.lower(nick), record(member, nick, ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]))
            prev = append(prev, 'o', member, '* ' .. nick .. ' is back (' .. ARGV[i + 2] .. ' on ' .. ARGV[3] .. ')', '')
            added = added + 1
          end
          table.insert(result, nick)
        end
        if added > 0 then redis.call('PUBLISH', ARGV[2], prev) end
        return result
        """;

    /// <summary>
    /// A beat. ARGV 5 TTL in ms. Returns {1 if this incarnation's heartbeat was still there else 0, nodes...}.
    /// </summary>
    public const string Heartbeat = """
        local had = redis.call('GET', KEYS[5])
        redis.call('SET', KEYS[5], ARGV[4], 'PX', ARGV[5])
        redis.call('SADD', KEYS[4], ARGV[3])
        local alive = 0
        if had == ARGV[4] then alive = 1 end
        return {alive, unpack(redis.call('SMEMBERS', KEYS[4]))}
        """;

    /// <summary>
    /// Announces the members of a node as gone, once: whoever runs this first for a node removes its records, so no
    /// other host finds them. ARGV 5 the node, 6 the incarnation to keep ('' when the node is lost: then only if its
    /// heartbeat, KEYS[5], has expired), 7 the reason. Returns how many members it announced, -1 if the node is alive.
    /// </summary>
    public const string Reap = Prelude + """
        if ARGV[6] == '' and redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
        local all = redis.call('HGETALL', KEYS[2])
        local prev = top()
        local count = 0
        for i = 1, #all, 2 do
          local n, inc, m, nick = fields(all[i + 1])
          if n == ARGV[5] and inc ~= ARGV[6] then
            redis.call('HDEL', KEYS[2], all[i])
            prev = append(prev, 'a', m, '* ' .. nick .. ' left (' .. ARGV[7] .. ')', '')
            count = count + 1
          end
        end
        if ARGV[6] == '' then redis.call('SREM', KEYS[4], ARGV[5]) end
        if count > 0 then redis.call('PUBLISH', ARGV[2], prev) end
        return count
        """;
}
