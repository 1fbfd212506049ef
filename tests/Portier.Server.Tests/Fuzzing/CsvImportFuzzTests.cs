using System.Net.Http.Headers;
using System.Text;
using FsCheck.Fluent;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>Edited CSV files for the people import, previewed and (one in ten) imported: never a server error.</summary>
public abstract class CsvImportFuzzTests(PortierServer server)
{
    private const string Mapping =
        """{"name":"Full Name","email":"E-mail","personType":"Type","membershipStatus":"Status","externalId":"Member ID","customTags":"Tags"}""";

    private const string Sample =
        "Full Name,E-mail,Type,Status,Member ID,Tags\r\n" +
        "Ada Lovelace,ada@example.org,Member,Active,M-1,pool;sauna\r\n" +
        "\"Hopper, Grace\",grace@example.org,Staff,Current,M-2,\"night|keyholder\"\r\n";

    [Fact]
    public async Task EditedFiles_AreAnsweredWithoutServerErrors()
    {
        var admin = server.Admin();
        var siteId = await admin.CreateSiteAsync("CSV fuzz");
        var files = Edits.Around(Encoding.UTF8.GetBytes(Sample), Encoding.UTF8.GetBytes("\uFEFF" + Sample), Encoding.UTF8.GetBytes(Sample.Replace(',', ';')));
        var cases = files.Zip(Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))).Zip(Gen.Frequency((9, Gen.Constant(Mapping)), (1, Edits.Around(Mapping))));
        var run = new FuzzRun($"csv import ({server.Kind})");

        await run.RunAsync(Edits.Draw(cases, run.Cases, run.Seed), parallel: 4, async item =>
        {
            var ((file, dryRun), mapping) = item;
            var url = $"/api/v1/people/import?siteId={siteId}&dryRun={(dryRun ? "true" : "false")}&mapping={Uri.EscapeDataString(mapping)}";
            var content = new ByteArrayContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            return await FuzzChecks.AnsweredWithoutServerErrorAsync(run, () => admin.PostAsync(url, content), $"{mapping} | {Encoding.UTF8.GetString(file)}");
        });

        run.AssertClean();
    }
}

public sealed class CsvImportFuzzSqliteTests(SqliteServerFixture fixture) : CsvImportFuzzTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class CsvImportFuzzPostgresTests(PostgresServerFixture fixture) : CsvImportFuzzTests(fixture.Server), IClassFixture<PostgresServerFixture>;
