using System.Net;
using System.Text;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.People;

public abstract class PersonImportTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Mapping =
        """{"name":"Full Name","email":"E-mail","personType":"Type","membershipStatus":"Status","externalId":"Member ID","customTags":"Tags"}""";

    private static string Url(Guid site, bool dryRun, string? mapping = Mapping) =>
        $"/api/v1/people/import?siteId={site}&dryRun={dryRun.ToString().ToLowerInvariant()}"
        + (mapping is null ? "" : "&mapping=" + Uri.EscapeDataString(mapping));

    private static Task<HttpResponseMessage> PostCsvAsync(HttpClient client, string url, string csv) =>
        client.PostAsync(url, new StringContent(csv, Encoding.UTF8, "text/csv"), Ct);

    private const string Sample =
        "Full Name,E-mail,Type,Status,Member ID,Tags\r\n" +
        "Ada Lovelace,ada@example.org,Member,Active,M-1,pool;sauna\r\n" +
        "\"Hopper, Grace\",grace@example.org,Staff,Current,M-2,\"night|keyholder\"\r\n";

    [Fact]
    public async Task Import_DryRun_ReportsCountsAndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();

        var report = await (await PostCsvAsync(_admin, Url(site, dryRun: true), Sample)).ExpectAsync(HttpStatusCode.OK);

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, report.GetProperty("created").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_NoDryRunParameter_DefaultsToDryRun()
    {
        var site = await _admin.CreateSiteAsync();
        var url = $"/api/v1/people/import?siteId={site}&mapping={Uri.EscapeDataString(Mapping)}";

        var report = await (await PostCsvAsync(_admin, url, Sample)).ExpectAsync(HttpStatusCode.OK);

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_QuotedFieldsWithCommasAndNewlines_StoredAsOneValue()
    {
        var site = await _admin.CreateSiteAsync();
        var csv = "Full Name,E-mail,Type,Status,Member ID,Tags\n" +
                  "\"Hopper, Grace \"\"Amazing\"\"\",grace@example.org,Staff,\"On\nhold\",M-2,a;b\n";

        var report = await (await PostCsvAsync(_admin, Url(site, dryRun: false), csv)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, report.GetProperty("created").GetInt32());
        var person = (await _admin.GetJsonAsync($"/api/v1/people?siteId={site}")).Items().Single();
        Assert.Equal("Hopper, Grace \"Amazing\"", person.GetProperty("name").GetString());
        Assert.Equal("On\nhold", person.GetProperty("membershipStatus").GetString());
        Assert.Equal(["a", "b"], person.GetProperty("customTags").Strings());
    }

    [Fact]
    public async Task Import_BadRows_ReportedPerRowWhileValidRowsAreWritten()
    {
        var site = await _admin.CreateSiteAsync();
        var csv = Sample +
                  ",nobody@example.org,Member,Active,M-3,\r\n" +
                  "Eve,not-an-email,Member,Active,M-4,\r\n" +
                  "Ada Again,ada2@example.org,Member,Active,M-1,\r\n" +
                  "Short,row\r\n";

        var report = await (await PostCsvAsync(_admin, Url(site, dryRun: false), csv)).ExpectAsync(HttpStatusCode.OK);

        Assert.False(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, report.GetProperty("created").GetInt32());
        Assert.Equal(4, report.GetProperty("failed").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains((4, "name"), errors);
        Assert.Contains((5, "email"), errors);
        Assert.Contains((6, "externalId"), errors);
        Assert.Contains((7, "row"), errors);
        Assert.Equal(2, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_MatchingExternalId_UpdatesMappedFieldsInsteadOfCreating()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreatePersonAsync(site, "Ada", externalId: "M-1", membershipStatus: "Expired");
        await (await _admin.PutJsonAsync($"/api/v1/people/{id}", new { siteId = site, name = "Ada", externalId = "M-1", phone = "+44 1", membershipStatus = "Expired" }))
            .ExpectAsync(HttpStatusCode.OK);
        var csv = "Member ID,Status\r\nM-1,Active\r\nM-9,Active\r\n";

        var report = await (await PostCsvAsync(_admin, Url(site, false, """{"externalId":"Member ID","membershipStatus":"Status"}"""), csv))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, report.GetProperty("updated").GetInt32());
        Assert.Equal(0, report.GetProperty("created").GetInt32());
        Assert.Equal((3, "name"), report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).Single());
        var ada = await _admin.GetJsonAsync($"/api/v1/people/{id}");
        Assert.Equal("Active", ada.GetProperty("membershipStatus").GetString());
        Assert.Equal("+44 1", ada.GetProperty("phone").GetString());
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_ManyThousandRows_MatchesExistingPeopleInOnePass()
    {
        var site = await _admin.CreateSiteAsync();
        await (await PostCsvAsync(_admin, Url(site, false, null), "name,externalId\r\nKnown,K-1\r\n")).ExpectAsync(HttpStatusCode.OK);
        var csv = new StringBuilder("name,externalId\r\nKnown,K-1\r\n");
        for (var i = 0; i < 40_000; i++) csv.Append('P').Append(i).Append(",E-").Append(i).Append("\r\n");

        var report = await (await PostCsvAsync(_admin, Url(site, true, null), csv.ToString())).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(40_000, report.GetProperty("created").GetInt32());
        Assert.Equal(1, report.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task Import_MultipartFileWithMappingField_Imports()
    {
        var site = await _admin.CreateSiteAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Mapping), "mapping" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("\uFEFF" + Sample)), "file", "members.csv" },
        };

        var report = await (await _admin.PostAsync($"/api/v1/people/import?siteId={site}&dryRun=false", form, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(2, report.GetProperty("created").GetInt32());
        var names = (await _admin.GetJsonAsync($"/api/v1/people?siteId={site}&sort=name")).Items().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["Ada Lovelace", "Hopper, Grace"], names);
    }

    [Theory]
    [InlineData("""{"nickname":"Full Name"}""", "unknown_mapping_field", "nickname")]
    [InlineData("""{"name":"Nom"}""", "mapping_column_missing", "Nom")]
    [InlineData("""not json""", "invalid_mapping", "mapping")]
    public async Task Import_BadMapping_Answers400NamingItAndWritesNothing(string mapping, string code, string named)
    {
        var site = await _admin.CreateSiteAsync();

        var problem = await (await PostCsvAsync(_admin, Url(site, false, mapping), Sample)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Contains(named, problem.GetProperty("detail").GetString() + problem.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_UnclosedQuote_Answers400InvalidCsv()
    {
        var site = await _admin.CreateSiteAsync();
        await (await PostCsvAsync(_admin, Url(site, false), Sample + "\"Never closed,x,Member,Active,M-5,\r\n"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_csv");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Import_JsonBody_Answers415()
    {
        var site = await _admin.CreateSiteAsync();
        await (await _admin.PostRawAsync(Url(site, false), JsonSerializer.Serialize(new { csv = Sample })))
            .ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Import_OverTenMegabytes_Answers413()
    {
        var site = await _admin.CreateSiteAsync();
        var huge = "Full Name\r\n" + new string('x', 10 * 1024 * 1024) + "\r\n";
        await (await PostCsvAsync(_admin, Url(site, false, null), huge)).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Import_WithoutImportPermission_Answers403AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var writer = server.WithToken(await _admin.CreateTokenAsync(["people:read", "people:write"]));

        await (await PostCsvAsync(writer, Url(site, false), Sample)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }
}

public sealed class PersonImportSqliteTests(SqliteServerFixture fixture) : PersonImportTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class PersonImportPostgresTests(PostgresServerFixture fixture) : PersonImportTests(fixture.Server), IClassFixture<PostgresServerFixture>;
