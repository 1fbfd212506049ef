using System.Text;

namespace Portier.Server.Infrastructure.Csv;

/// <summary>A CSV file that does not follow RFC 4180 closely enough to read.</summary>
public sealed class CsvFormatException(int row, string message) : Exception(message)
{
    /// <summary>The 1-based record number where reading failed (the header is record 1).</summary>
    public int Row { get; } = row;
}

/// <summary>
/// An RFC 4180 reader: comma-separated, fields optionally in double quotes, a doubled quote inside
/// quotes is one quote, quoted fields may hold commas and line breaks, records end with CRLF, LF or CR.
/// Blank lines are skipped. Lenient where the RFC is silent: text after a closing quote is kept.
/// </summary>
public static class CsvTable
{
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var quotedField = false;
        var i = 0;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            quotedField = false;
        }

        void EndRecord()
        {
            var wasQuoted = quotedField;
            EndField();
            if (fields.Count > 1 || fields[0].Length > 0 || wasQuoted) records.Add([.. fields]);
            fields.Clear();
        }

        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else inQuotes = false;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !quotedField:
                    inQuotes = quotedField = true;
                    break;
                case ',':
                    EndField();
                    break;
                case '\r' or '\n':
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                    EndRecord();
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (inQuotes) throw new CsvFormatException(records.Count + 1, "A quoted field is not closed before the end of the file.");
        if (field.Length > 0 || fields.Count > 0 || quotedField) EndRecord();
        return records;
    }
}
