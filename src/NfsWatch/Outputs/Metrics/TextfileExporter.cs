using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// node_exporter's textfile collector mode: the whole exposition written to a .prom file after each scan,
/// atomically (a temporary file in the same directory, then rename(2)), so that node_exporter never reads
/// half a file. The temporary name does not end in .prom, so the collector never picks it up.
/// </summary>
public sealed class TextfileExporter(CollectorRegistry registry, string path)
{
    public string Path { get; } = path;

    /// <summary>Writes the file; returns why it could not, or null.</summary>
    public string? TryWrite()
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None,
                       // node_exporter runs as another user; the unit's UMask=0077 would make it 0600.
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                   }))
            {
                registry.CollectAndExportAsTextAsync(file, ExpositionFormat.PrometheusText).GetAwaiter().GetResult();
            }
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temporary, Path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception) { /* best effort: it is a temporary file of our own */ }
            return e.Message;
        }
    }
}
