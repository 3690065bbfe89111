using AtymSecure.Formats;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>Why <see cref="BundleChunkCheck"/> refuses a download, and how much of the partial file is still good.</summary>
/// <param name="Code">The refusal's code from <see cref="ReasonCodes"/>.</param>
/// <param name="Detail">What did not check, with the chunk and its byte range.</param>
/// <param name="KeepBytes">The verified length the partial file is cut back to; 0 drops it.</param>
internal sealed record ChunkFault(string Code, string Detail, long KeepBytes);
