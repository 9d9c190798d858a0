namespace NfsWatch.Tests.Support;

/// <summary>
/// A test CA with a server certificate for localhost and 127.0.0.1, a client certificate it signs, and a client
/// certificate of another CA; made with openssl in a temporary directory, deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempTree _dir = new();

    public string Dir => _dir.Path;
    public string CaCert => File("ca.crt");
    public string ServerCert => File("server.crt");
    public string ServerKey => File("server.key");
    public string ClientCert => File("client.crt");
    public string ClientKey => File("client.key");
    public string StrangerCert => File("stranger.crt");
    public string StrangerKey => File("stranger.key");

    public TestCertificates()
    {
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("ca.key"), "-out", CaCert,
            "-days", "2", "-subj", "/CN=nfswatch test CA");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("other-ca.key"), "-out", File("other-ca.crt"),
            "-days", "2", "-subj", "/CN=another CA");
        Issue("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Issue("client", "scraper", "subjectAltName=DNS:scraper.example\nextendedKeyUsage=clientAuth\n");
        Issue("stranger", "stranger", "extendedKeyUsage=clientAuth\n", ca: "other-ca");
    }

    /// <summary>A certificate and key for localhost signed by the test CA, with <paramref name="commonName"/>.</summary>
    public void Issue(string name, string commonName, string extensions, string ca = "ca")
    {
        System.IO.File.WriteAllText(File($"{name}.ext"), extensions);
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File($"{name}.key"), "-out", File($"{name}.csr"),
            "-subj", $"/CN={commonName}");
        OpenSsl("x509", "-req", "-in", File($"{name}.csr"), "-CA", File($"{ca}.crt"), "-CAkey", File($"{ca}.key"), "-CAcreateserial",
            "-out", File($"{name}.crt"), "-days", "2", "-extfile", File($"{name}.ext"));
    }

    public string File(string name) => System.IO.Path.Combine(_dir.Path, name);

    private static void OpenSsl(params string[] args)
    {
        var run = TestHost.RunWithin(TimeSpan.FromSeconds(30), "openssl", args);
        Assert.True(run.ExitCode == 0, $"openssl {string.Join(' ', args)}: {run.Stderr}");
    }

    public void Dispose() => _dir.Dispose();
}
