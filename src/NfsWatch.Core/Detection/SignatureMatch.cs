namespace NfsWatch.Core.Detection;

/// <summary>A known kernel problem that a thread's stack matches (see Explanation/SignatureCatalog).</summary>
public sealed record SignatureMatch(string Id, string Title, string Reference, string Remediation);
