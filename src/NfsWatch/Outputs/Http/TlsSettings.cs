using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NfsWatch.Outputs.Http;

/// <summary>exporter-toolkit's client_auth_type, Go's tls.ClientAuthType.</summary>
public enum ClientAuth { NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert }

/// <summary>
/// tls_server_config, loaded: the server certificate (with any intermediates in cert_file), what is asked of
/// clients, the TLS versions and cipher suites. <see cref="ServerOptions"/> gives SslStream the settings for one
/// connection, as exporter-toolkit's GetConfigForClient does.
/// </summary>
public sealed class TlsSettings
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The cipher suites exporter-toolkit accepts (Go's tls.CipherSuites()); the TLS 1.3 ones cannot be chosen, as in Go.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> Tls12Suites =
    [
        TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public static readonly IReadOnlyList<TlsCipherSuite> Tls13Suites =
        [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    private readonly SslStreamCertificateContext _certificate;
    private readonly X509Certificate2Collection _clientCas;
    private readonly IReadOnlyList<string> _allowedSans;

    public ClientAuth ClientAuth { get; }
    public SslProtocols Protocols { get; }
    /// <summary>The TLS 1.2 suites allowed (with every TLS 1.3 suite); null for OpenSSL's defaults.</summary>
    public CipherSuitesPolicy? CipherSuites { get; }
    public X509Certificate2 Certificate => _certificate.TargetCertificate;

    private TlsSettings(SslStreamCertificateContext certificate, X509Certificate2Collection clientCas, IReadOnlyList<string> allowedSans,
        ClientAuth clientAuth, SslProtocols protocols, CipherSuitesPolicy? cipherSuites)
    {
        _certificate = certificate;
        _clientCas = clientCas;
        _allowedSans = allowedSans;
        ClientAuth = clientAuth;
        Protocols = protocols;
        CipherSuites = cipherSuites;
    }

    /// <param name="where">The file and a key, for messages.</param>
    /// <param name="files">Gets every file read.</param>
    public static TlsSettings From(TlsServerYaml t, string directory, Func<string, string> where, List<string> files)
    {
        WebConfigException Error(string key, string problem) => new($"{where($"tls_server_config: {key}")}: {problem}");
        string Pem(string fileKey, string? file, string inlineKey, string? inline, bool required)
        {
            if (!string.IsNullOrEmpty(file) && !string.IsNullOrEmpty(inline)) throw Error(fileKey, $"set {fileKey} or {inlineKey}, not both");
            if (!string.IsNullOrEmpty(inline)) return inline;
            if (string.IsNullOrEmpty(file)) return required ? throw Error(fileKey, $"missing: TLS needs {fileKey} (or {inlineKey})") : "";
            string full = Path.Combine(directory, file);
            files.Add(full);
            try { return File.ReadAllText(full); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Error(fileKey, $"cannot read '{full}': {e.Message}"); }
        }

        string certPem = Pem("cert_file", t.CertFile, "cert", t.Cert, required: true);
        string keyPem = Pem("key_file", t.KeyFile, "key", t.Key, required: true);
        string caPem = Pem("client_ca_file", t.ClientCaFile, "client_ca", t.ClientCa, required: false);

        var chain = new X509Certificate2Collection();
        try { chain.ImportFromPem(certPem); }
        catch (CryptographicException e) { throw Error("cert_file", $"not a PEM certificate: {e.Message}"); }
        if (chain.Count == 0) throw Error("cert_file", "holds no PEM certificate");
        SslStreamCertificateContext certificate;
        try
        {
            var leaf = X509Certificate2.CreateFromPem(certPem, keyPem);
            // offline: intermediates come from cert_file only, never fetched (the unit has no network).
            certificate = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Error("key_file", $"not the PEM private key of the certificate: {e.Message}");
        }

        var clientCas = new X509Certificate2Collection();
        if (caPem.Length > 0)
        {
            try { clientCas.ImportFromPem(caPem); }
            catch (CryptographicException e) { throw Error("client_ca_file", $"not PEM certificates: {e.Message}"); }
            if (clientCas.Count == 0) throw Error("client_ca_file", "holds no PEM certificate");
        }

        ClientAuth clientAuth = t.ClientAuthType switch
        {
            null or "" or "NoClientCert" => ClientAuth.NoClientCert,
            "RequestClientCert" => ClientAuth.RequestClientCert,
            // RequireClientCert: the older name exporter-toolkit still accepts.
            "RequireAnyClientCert" or "RequireClientCert" => ClientAuth.RequireAnyClientCert,
            "VerifyClientCertIfGiven" => ClientAuth.VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth.RequireAndVerifyClientCert,
            _ => (ClientAuth)(-1),
        };
        if ((int)clientAuth < 0)
            throw Error("client_auth_type", $"'{t.ClientAuthType}' is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert");
        if (clientCas.Count > 0 && clientAuth == ClientAuth.NoClientCert)
            throw Error("client_auth_type", "client CAs are set without a client auth policy (use RequireAndVerifyClientCert)");
        if (clientCas.Count == 0 && clientAuth is ClientAuth.VerifyClientCertIfGiven or ClientAuth.RequireAndVerifyClientCert)
            throw Error("client_ca_file", $"{clientAuth} needs the CA that signs client certificates");
        var sans = t.ClientAllowedSans ?? [];
        if (sans.Count > 0 && clientAuth == ClientAuth.NoClientCert)
            throw Error("client_allowed_sans", "needs a client_auth_type that asks for a certificate (RequireAndVerifyClientCert)");

        SslProtocols min = Version("min_version", t.MinVersion, SslProtocols.Tls12), max = Version("max_version", t.MaxVersion, SslProtocols.Tls13);
        if (min > max) throw Error("min_version", $"{t.MinVersion} is above max_version {t.MaxVersion}");
        SslProtocols protocols = min == max ? min : SslProtocols.Tls12 | SslProtocols.Tls13;

        if (t.CurvePreferences is { Count: > 0 })
            throw Error("curve_preferences", ".NET cannot choose the key exchange groups of a server: remove it (OpenSSL's defaults are used: X25519, P-256, P-384, P-521)");

        CipherSuitesPolicy? suites = null;
        if (t.CipherSuites is { Count: > 0 } names)
        {
            var chosen = new List<TlsCipherSuite>();
            foreach (string name in names)
            {
                if (!Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) || !(Tls12Suites.Contains(suite) || Tls13Suites.Contains(suite)))
                    throw Error("cipher_suites", $"unknown cipher suite '{name}' (known: {string.Join(", ", Tls12Suites.Concat(Tls13Suites))})");
                if (Tls12Suites.Contains(suite)) chosen.Add(suite);
            }
            // As in Go, the list governs TLS 1.2; TLS 1.3 keeps all its suites (or it could not be negotiated at all).
            suites = new CipherSuitesPolicy([.. chosen, .. Tls13Suites]);
        }
        // prefer_server_cipher_suites is accepted and has no effect, as in Go since 1.18.
        return new TlsSettings(certificate, clientCas, sans, clientAuth, protocols, suites);

        SslProtocols Version(string key, string? value, SslProtocols fallback) => value switch
        {
            null or "" => fallback,
            "TLS12" => SslProtocols.Tls12,
            "TLS13" => SslProtocols.Tls13,
            "TLS10" or "TLS11" => throw Error(key, $"{value} is not supported: TLS 1.0 and 1.1 are obsolete (RFC 8996); use TLS12 or TLS13"),
            _ => throw Error(key, $"'{value}' is not TLS12 or TLS13"),
        };
    }

    /// <summary>SslStream's settings for one new connection.</summary>
    public SslServerAuthenticationOptions ServerOptions(bool http2) => new()
    {
        ServerCertificateContext = _certificate,
        ClientCertificateRequired = ClientAuth != ClientAuth.NoClientCert,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => AcceptsClient(certificate, chain),
        EnabledSslProtocols = Protocols,
        CipherSuitesPolicy = CipherSuites,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11],
    };

    /// <summary>Whether a client's certificate (or its absence) passes client_auth_type and client_allowed_sans.</summary>
    public bool AcceptsClient(X509Certificate? certificate, X509Chain? sent)
    {
        if (ClientAuth == ClientAuth.NoClientCert) return true;
        if (certificate is null)
            return _allowedSans.Count == 0 && ClientAuth is ClientAuth.RequestClientCert or ClientAuth.VerifyClientCertIfGiven;
        var cert = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        if (ClientAuth is ClientAuth.VerifyClientCertIfGiven or ClientAuth.RequireAndVerifyClientCert && !ChainsToClientCa(cert, sent)) return false;
        return _allowedSans.Count == 0 || SubjectAlternativeNames(cert).Any(_allowedSans.Contains);
    }

    private bool ChainsToClientCa(X509Certificate2 cert, X509Chain? sent)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Go verifies client certificates for ExtKeyUsageClientAuth; one without the extension may be used for anything.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        if (sent is not null) chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        return chain.Build(cert);
    }

    /// <summary>DNS names, e-mail addresses, IP addresses and URIs, as Go's VerifyPeerCertificate in exporter-toolkit lists them.</summary>
    public static IEnumerable<string> SubjectAlternativeNames(X509Certificate2 cert)
    {
        var extension = cert.Extensions["2.5.29.17"];
        if (extension is null) return [];
        var names = new List<string>();
        try
        {
            var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific) { sequence.ReadEncodedValue(); continue; }
                switch (tag.TagValue)
                {
                    case 1 or 2 or 6: // rfc822Name, dNSName, uniformResourceIdentifier (IA5String)
                        names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, tag.TagValue)));
                        break;
                    case 7: // iPAddress
                        names.Add(new IPAddress(sequence.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7))).ToString());
                        break;
                    default:
                        sequence.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException) { }
        return names;
    }
}
