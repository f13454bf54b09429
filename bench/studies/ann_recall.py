"""HNSW recall and speed vs exact search on clustered and on uniform random unit vectors (the
choice of efSearch in retriever/ann.py; results in bench/studies/ann_recall.md).

    python -m bench.studies.ann_recall

Real sentence embeddings are clustered (e5 cosines sit around 0.8), so the clustered case is
the realistic one; uniform random vectors are the worst case for graph indexes.
"""
import numpy as np, time, faiss


def main() -> None:
    rng=np.random.default_rng(0)
    n,d=30000,384
    # clustered data, closer to real embeddings than uniform noise: 300 centres, spread 0.5
    C=rng.standard_normal((300,d)).astype(np.float32)
    X=C[rng.integers(0,300,n)]+0.5*rng.standard_normal((n,d)).astype(np.float32)
    X/=np.linalg.norm(X,axis=1,keepdims=True)
    R=rng.standard_normal((n,d)).astype(np.float32); R/=np.linalg.norm(R,axis=1,keepdims=True)
    for name,data in [("clustered",X),("uniform",R)]:
        idx=faiss.IndexHNSWFlat(d,32,faiss.METRIC_INNER_PRODUCT); idx.hnsw.efConstruction=80
        t=time.time(); idx.add(data); bt=time.time()-t
        q=data[rng.integers(0,n,200)]+0.3*rng.standard_normal((200,d)).astype(np.float32)/np.sqrt(d)*4
        q/=np.linalg.norm(q,axis=1,keepdims=True)
        ex=np.argsort(-(q@data.T),axis=1)[:,:10]
        for ef in [96,256,512]:
            idx.hnsw.efSearch=ef
            t=time.time(); _,I=idx.search(q,10); dt=(time.time()-t)/200*1000
            rec=np.mean([len(set(a)&set(b))/10 for a,b in zip(I,ex)])
            print(name, "build %.1fs"%bt, "ef",ef,"recall@10 %.3f"%rec,"%.2f ms/q"%dt)


if __name__ == "__main__":
    main()
