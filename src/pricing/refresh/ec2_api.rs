//! EC2 API in (DescribeInstanceTypes, DescribeInstanceTypeOfferings, DescribeImages, DescribeSpotPriceHistory), plain records out.
