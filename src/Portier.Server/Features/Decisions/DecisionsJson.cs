using System.Text.Json.Serialization;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Serializers generated at build time for the decision endpoints, which answer on the hot path. They are
/// put first in the API's resolver chain (<see cref="DecisionsExtensions"/>) and take its options (names,
/// enum and time converters), so the JSON is the same as the reflection-based serializer's.
/// </summary>
[JsonSerializable(typeof(ExplainRequest))]
[JsonSerializable(typeof(ExplainResponse))]
[JsonSerializable(typeof(Paged<PersonSummary>))]
[JsonSerializable(typeof(Paged<DoorSummary>))]
internal sealed partial class DecisionsJsonContext : JsonSerializerContext;
