using System.Text;
using System.Text.RegularExpressions;

namespace NfsWatch.Tests.Support;

/// <summary>What the docs tests read of a Markdown file: GitHub's heading anchors, links, and table rows.</summary>
public static partial class Markdown
{
    /// <summary>
    /// The anchors GitHub gives the headings of a Markdown file (outside fenced code): the heading's text without
    /// its Markdown, lower case, every character but letters, digits, spaces, hyphens and underscores removed,
    /// spaces made hyphens; a repeated anchor gets -1, -2, ... (github-slugger, as github.com renders Markdown).
    /// </summary>
    public static List<string> HeadingAnchors(string markdown)
    {
        var anchors = new List<string>();
        var seen = new Dictionary<string, int>();
        foreach (string line in OutsideCode(markdown))
        {
            var m = Heading().Match(line);
            if (!m.Success) continue;
            string slug = Slug(m.Groups[1].Value);
            if (seen.TryGetValue(slug, out int n))
            {
                seen[slug] = n + 1;
                slug = $"{slug}-{n + 1}";
            }
            else seen[slug] = 0;
            anchors.Add(slug);
        }
        return anchors;
    }

    public static string Slug(string heading)
    {
        string text = LinkPattern().Replace(heading.Trim(), "$1");
        text = text.Replace("`", "").Replace("*", "");
        var slug = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }

    /// <summary>Every link target of the file outside fenced code: [text](target) and &lt;a href&gt;.</summary>
    public static IEnumerable<string> Links(string markdown)
    {
        foreach (string line in OutsideCode(markdown))
        {
            // Inline code is no link: `a[i](x)` in a code span is text.
            string text = InlineCode().Replace(line, "");
            foreach (Match m in LinkPattern().Matches(text)) yield return m.Groups[2].Value.Trim();
        }
    }

    /// <summary>The cells of every table row of the file (outside fenced code), header and separator rows excluded.</summary>
    public static IEnumerable<string[]> TableRows(string markdown)
    {
        foreach (string line in OutsideCode(markdown))
        {
            string t = line.Trim();
            if (!t.StartsWith('|') || TableSeparator().IsMatch(t)) continue;
            // A | inside a code span (`a|b`) is part of the cell, escaped or not.
            var cells = new List<string>();
            var cell = new StringBuilder();
            bool code = false;
            for (int i = 1; i < t.Length; i++)
            {
                char c = t[i];
                if (c == '`') code = !code;
                if (c == '\\' && i + 1 < t.Length && t[i + 1] == '|') { cell.Append('|'); i++; continue; }
                if (c == '|' && !code) { cells.Add(cell.ToString().Trim()); cell.Clear(); continue; }
                cell.Append(c);
            }
            yield return [.. cells];
        }
    }

    private static IEnumerable<string> OutsideCode(string markdown)
    {
        bool fenced = false;
        foreach (string raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (!fenced) yield return line;
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)(?:\s+#+)?\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[([^\]]*)\]\(([^)\s]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\|[\s:|-]+\|$")]
    private static partial Regex TableSeparator();
}
