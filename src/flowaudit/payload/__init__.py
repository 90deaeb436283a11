"""What requests carry: decoding every layer of a request, and naming the
data types found in it."""
