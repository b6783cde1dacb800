using VodRaw.Transfer;

namespace VodRaw.Upload;

/// <summary>What a file is to the upload.</summary>
internal enum FileRole
{
    Media,
    Cover,
    Segment,
}

/// <summary>One file of the upload: an open source (media, cover) or a path opened when its turn comes (segments).</summary>
internal sealed record UploadFile(FileRole Role, IPartSource? Source, long? Length, string Path, string RelativePath = "");
