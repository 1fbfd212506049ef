using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Portier.Server.Tests.Infrastructure;

public static class HttpJson
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsJsonAsync(url, body, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutRawAsync(this HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the body, showing the body when the status is wrong.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem answer with the given status and stable code.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal(code, body.GetProperty("code").GetString());
        return body;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode status = HttpStatusCode.OK) =>
        await (await client.GetAsync(url, TestContext.Current.CancellationToken)).ExpectAsync(status);

    /// <summary>The total a list answers, for "nothing was written" checks.</summary>
    public static async Task<int> TotalAsync(this HttpClient client, string listUrl) =>
        (await client.GetJsonAsync(listUrl + (listUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "pageSize=1"))
            .GetProperty("total").GetInt32();

    public static Task<HttpResponseMessage> RemoveAsync(this HttpClient client, string url) =>
        client.DeleteAsync(url, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutEmptyAsync(this HttpClient client, string url) =>
        client.PutAsync(url, null, TestContext.Current.CancellationToken);

    public static Guid Id(this JsonElement element) => element.GetProperty("id").GetGuid();
}
