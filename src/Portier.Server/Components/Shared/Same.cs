using Portier.Server.Components.Api;
using System.Text.Json;

namespace Portier.Server.Components.Shared;

/// <summary>Whether an editor's request differs from what was saved, compared as the API would receive them.</summary>
public static class Same
{
    public static bool AsJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, ConsoleApi.Json) == JsonSerializer.Serialize(b, ConsoleApi.Json);
}
