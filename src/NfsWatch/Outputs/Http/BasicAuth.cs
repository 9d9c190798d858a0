using System.Text;

namespace NfsWatch.Outputs.Http;

/// <summary>
/// basic_auth_users, checked as exporter-toolkit's webHandler does: bcrypt runs one at a time, and its answer is
/// cached per (user, hash, password), right or wrong, in at most 100 entries, so that a flood of requests costs
/// one bcrypt per distinct password, not one per request. An unknown user is checked against a decoy hash, so
/// that the time of an answer does not tell which users exist. (Like exporter-toolkit's, the cache holds the
/// passwords it saw in memory; basic auth sends them over the wire anyway, so use it with TLS.)
/// </summary>
public sealed class BasicAuth
{
    public const int CacheSize = 100;
    private readonly Dictionary<string, bool> _cache = [];
    private readonly Lock _cacheLock = new(), _bcryptLock = new();
    private readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), 10));

    /// <summary>How many bcrypt checks ran (for tests: the cache must keep this low).</summary>
    public int BcryptRuns { get; private set; }

    /// <summary>Whether an Authorization header names one of <paramref name="users"/> with its password.</summary>
    public bool Allows(string? authorization, IReadOnlyDictionary<string, string> users)
    {
        if (!TryParse(authorization, out string user, out string password)) return false;
        bool known = users.TryGetValue(user, out var hash);
        hash ??= _decoy.Value;
        string key = $"{Convert.ToHexString(Encoding.UTF8.GetBytes(user))}:{Convert.ToHexString(Encoding.UTF8.GetBytes(hash))}:{Convert.ToHexString(Encoding.UTF8.GetBytes(password))}";
        bool ok;
        lock (_cacheLock)
        {
            if (_cache.TryGetValue(key, out ok)) return ok && known;
        }
        lock (_bcryptLock)
        {
            // Requests that queued here for the same password find the answer of the first one.
            lock (_cacheLock)
            {
                if (_cache.TryGetValue(key, out ok)) return ok && known;
            }
            BcryptRuns++;
            try { ok = BCrypt.Net.BCrypt.Verify(password, hash); }
            catch (BCrypt.Net.SaltParseException) { ok = false; }
        }
        lock (_cacheLock)
        {
            if (_cache.Count >= CacheSize)
            {
                // Drop a tenth at random, as exporter-toolkit's cache does, so that this happens seldom.
                foreach (string old in _cache.Keys.OrderBy(_ => Random.Shared.Next()).Take(CacheSize / 10 + 1).ToList()) _cache.Remove(old);
            }
            _cache[key] = ok;
        }
        return ok && known;
    }

    /// <summary>"Basic base64(user:password)", as Go's Request.BasicAuth reads it.</summary>
    public static bool TryParse(string? authorization, out string user, out string password)
    {
        user = password = "";
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim())); }
        catch (FormatException) { return false; }
        int colon = decoded.IndexOf(':');
        if (colon < 0) return false;
        (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }
}
