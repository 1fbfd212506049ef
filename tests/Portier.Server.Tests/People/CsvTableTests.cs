using Portier.Server.Infrastructure.Csv;

namespace Portier.Server.Tests.People;

public sealed class CsvTableTests
{
    [Fact]
    public void Parse_QuotedCommasQuotesAndLineBreaks_KeepsOneField()
    {
        var rows = CsvTable.Parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["x, y", "say \"hi\"", "two\r\nlines"], rows[1]);
    }

    [Fact]
    public void Parse_MixedLineEndingsBlankLinesAndNoFinalBreak_ReadsEveryRecord()
    {
        var rows = CsvTable.Parse("\uFEFFh1,h2\r\n\r\n1,2\r3,4\n5,");

        Assert.Equal([["h1", "h2"], ["1", "2"], ["3", "4"], ["5", ""]], rows);
    }

    [Fact]
    public void Parse_EmptyQuotedField_IsKept()
    {
        var rows = CsvTable.Parse("h\n\"\"\n");

        Assert.Equal([["h"], [""]], rows);
    }

    [Fact]
    public void Parse_UnclosedQuote_ThrowsWithRecordNumber()
    {
        var error = Assert.Throws<CsvFormatException>(() => CsvTable.Parse("h\nok\n\"broken\n"));

        Assert.Equal(3, error.Row);
    }
}
