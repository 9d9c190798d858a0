using Prometheus;

namespace NfsWatch.Outputs.Metrics;

/// <summary>
/// node_exporter's textfile collector mode: the whole exposition written to a .prom file after each scan,
/// atomically (a temporary file in the same directory, then rename(2)), so that node_exporter never reads
/// half a file. The temporary name does not end in .prom, so the collector never picks it up.
/// </summary>
/// <remarks>
/// The daemon may run as root, in a directory others can write (a sticky one, such as /tmp): the temporary
/// file gets a name no one can guess, is created with O_CREAT|O_EXCL (which never follows a link planted
/// there: open fails instead), its mode is set on the open descriptor, not the path, and rename(2) replaces
/// the target itself, never a file a link there points to. A directory anyone can write without the sticky
/// bit is refused at start (the textfile option's check): there anyone could replace the file.
/// </remarks>
public sealed class TextfileExporter(CollectorRegistry registry, string path)
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Path { get; } = path;

    /// <summary>Writes the file; returns why it could not, or null.</summary>
    public string? TryWrite()
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                       // node_exporter runs as another user; the unit's UMask=0077 would make it 0600.
                       UnixCreateMode = Readable,
                   }))
            {
                File.SetUnixFileMode(file.SafeFileHandle, Readable);
                registry.CollectAndExportAsTextAsync(file, ExpositionFormat.PrometheusText).GetAwaiter().GetResult();
            }
            File.Move(temporary, Path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception) { /* best effort: a temporary file of our own, or none */ }
            return e.Message;
        }
    }
}
