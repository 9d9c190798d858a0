namespace NfsWatch.Core.Explanation;

/// <summary>A known kernel problem that a thread's stack matches (see <see cref="SignatureCatalog"/>).</summary>
public sealed record SignatureMatch(string Id, string Title, string Reference, string Remediation);
